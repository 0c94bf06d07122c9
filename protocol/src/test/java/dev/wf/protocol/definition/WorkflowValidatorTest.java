package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Definitions.errors;
import static dev.wf.protocol.definition.Definitions.leaf;
import static dev.wf.protocol.definition.Definitions.leafWith;
import static dev.wf.protocol.definition.Definitions.root;
import static dev.wf.protocol.definition.Definitions.validate;
import static dev.wf.protocol.definition.Definitions.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.definition.WorkflowValidator.Limits;
import dev.wf.protocol.definition.WorkflowValidator.Validation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The structure of a definition: names, groups and leaves, fields, limits, all problems at once.
 */
class WorkflowValidatorTest {

  static List<Path> examples() {
    return Definitions.examples();
  }

  @Nested
  class Examples {
    @Test
    void shouldShipExamples() {
      assertThat(examples()).hasSizeGreaterThanOrEqualTo(4);
    }

    @ParameterizedTest
    @MethodSource("dev.wf.protocol.definition.WorkflowValidatorTest#examples")
    void shouldAcceptEveryExampleWithoutErrorsOrWarnings(Path file) {
      // given
      DefinitionReader.Result read = DefinitionReader.read(file);
      assertThat(read.problems()).isEmpty();

      // when
      Validation v = WorkflowValidator.validate(read.tree());

      // then
      assertThat(errors(v)).isEmpty();
      assertThat(warnings(v)).isEmpty();
      assertThat(v.workflow()).isPresent();
    }

    @Test
    void shouldBuildTheDeploymentExampleAsWritten() {
      Path file = examples().stream().filter(f -> f.endsWith("deployment.yaml")).findFirst().get();
      Workflow w = WorkflowValidator.validate(DefinitionReader.read(file).tree()).workflow().get();

      Group root = (Group) w.root();
      assertThat(w.name()).isEqualTo("Production Deployment");
      assertThat(root.type()).isEqualTo(GroupType.SEQUENTIAL);
      Group checks = (Group) root.steps().get(0);
      assertThat(checks.type()).isEqualTo(GroupType.PARALLEL);
      Leaf backup = (Leaf) checks.steps().get(2);
      assertThat(backup.name()).isEqualTo("Database Backup");
      assertThat(backup.retries()).isEqualTo(2);
      assertThat(backup.timeout()).hasSeconds(10);
      assertThat(backup.action()).isInstanceOf(Action.Shell.class);
    }
  }

  @Nested
  class AllProblemsAtOnce {
    static final String BROKEN =
        """
        name: Broken
        type: sequential
        steps:
          - name: Build
            action: { kind: shell, command: "make" }
            retires: 2
          - name: Checks
            type: parallel
            steps:
              - name: Tests
                action: { kind: shell, comand: "mvn test" }
                timeout: 10 parsecs
              - name: Build
                action: { kind: noop }
          - name: Empty
            type: sequential
            steps: []
          - name: Notify
            action: { kind: http, method: POST, url: "ftp://chat.example/hook" }
            onError: contineu
        """;

    @Test
    void shouldReportEveryProblemOfABrokenFileEachAtItsPath() {
      // when
      Validation v = validate(BROKEN);

      // then
      assertThat(v.valid()).isFalse();
      assertThat(v.workflow()).isEmpty();
      assertThat(v.errors())
          .extracting(Problem::path)
          .containsExactlyInAnyOrder(
              "steps[0].retires",
              "steps[1].steps[0].action.comand",
              "steps[1].steps[0].action.command",
              "steps[1].steps[0].timeout",
              "steps[1].steps[1].name",
              "steps[2].steps",
              "steps[3].onError",
              "steps[3].action.url");
      assertThat(errors(v))
          .contains(
              "steps[0].retires: unknown field for a leaf step (did you mean 'retries'?)",
              "steps[1].steps[0].action.command: is required",
              "steps[2].steps: a group needs at least one step")
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("steps[1].steps[0].timeout: \"10 parsecs\" is not a duration"))
          .anySatisfy(
              e ->
                  assertThat(e)
                      .startsWith("steps[3].onError: must be fail, continue or retry")
                      .endsWith("(did you mean 'continue'?)"));
    }

    @Test
    void shouldBuildTheWorkflowWhenThereAreOnlyWarnings() {
      // given a group with retries but no onError: retry (a warning)
      Validation v =
          validate(
              """
              name: Root
              retries: 2
              steps:
                - name: A
                  action: { kind: noop }
              """);

      assertThat(v.errors()).isEmpty();
      assertThat(v.warnings()).hasSize(1);
      assertThat(v.valid()).isTrue();
    }

    @Test
    void shouldRefuseADocumentThatIsNotAMapping() {
      Validation v = WorkflowValidator.validate(DefinitionReader.parse("- a\n- b\n", false).tree());

      assertThat(errors(v))
          .containsExactly("a workflow must be a mapping with name, type and steps, found a list");
    }
  }

  @Nested
  class UnknownFields {
    @Test
    void shouldReportUnknownFieldWithDidYouMean() {
      Validation v = validate(leafWith("action: { kind: noop }", "retires: 2"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].retires: unknown field for a leaf step (did you mean 'retries'?)");
    }

    @Test
    void shouldSuggestCommandForComandInAShellAction() {
      Validation v = validate(leafWith("action: { kind: shell, comand: \"make\" }"));

      assertThat(errors(v))
          .contains(
              "steps[0].action.comand: unknown field (did you mean 'command'?);"
                  + " expected one of args, command, env, kind, workdir",
              "steps[0].action.command: is required");
    }

    @Test
    void shouldNotSuggestAFieldWhenNoneIsClose() {
      Validation v = validate(leafWith("action: { kind: noop }", "colour: red"));

      assertThat(errors(v)).containsExactly("steps[0].colour: unknown field for a leaf step");
    }

    @Test
    void shouldSuggestAGroupFieldOnAGroup() {
      Validation v =
          validate(
              """
              name: Root
              failfast: false
              type: parallel
              steps: [ { name: A, action: { kind: noop } } ]
              """);

      assertThat(errors(v))
          .containsExactly("failfast: unknown field for a group (did you mean 'failFast'?)");
    }

    @Test
    void shouldRefuseStartTimeoutOnAGroup() {
      Validation v =
          validate(
              """
              name: Root
              startTimeout: 1m
              steps: [ { name: A, action: { kind: noop } } ]
              """);

      assertThat(errors(v)).containsExactly("startTimeout: unknown field for a group");
    }

    @Test
    void shouldAcceptInputsOnlyOnTheRoot() {
      Validation v =
          validate(
              """
              name: Root
              inputs: { version: v1 }
              steps:
                - name: A
                  inputs: { version: v2 }
                  action: { kind: noop }
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[0].inputs: inputs can only be declared on the workflow itself (the root"
                  + " step)");
    }

    @Test
    void shouldKeepTheInputDefaults() {
      Validation v =
          validate(
              """
              name: Root
              inputs: { version: v1.2.3, replicas: 3 }
              steps: [ { name: A, action: { kind: noop } } ]
              """);

      Workflow w = v.workflow().orElseThrow();
      assertThat(w.inputs()).containsOnlyKeys("version", "replicas");
      assertThat(w.inputs().get("version").textValue()).isEqualTo("v1.2.3");
      assertThat(w.inputs().get("replicas").intValue()).isEqualTo(3);
    }
  }

  @Nested
  class NamesAndShape {
    @Test
    void shouldRefuseADuplicateStepNameAtTheSecondNameNamingTheFirstPath() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Build
                  action: { kind: noop }
                - name: Later
                  type: parallel
                  steps:
                    - name: Build
                      action: { kind: noop }
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[1].steps[0].name: duplicate step name \"Build\" (first used at steps[0]);"
                  + " step names must be unique in the workflow");
    }

    @Test
    void shouldRefuseAStepNamedLikeTheWorkflow() {
      Validation v = validate("name: Root\nsteps: [ { name: Root, action: { kind: noop } } ]\n");

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].name: duplicate step name \"Root\" (first used at the root)");
    }

    @Test
    void shouldRequireANameOnEveryStep() {
      Validation v =
          validate(
              """
              type: sequential
              steps:
                - action: { kind: noop }
                - name: "  "
                  action: { kind: noop }
              """);

      assertThat(errors(v))
          .containsExactly(
              "name: is required",
              "steps[0].name: is required",
              "steps[1].name: must be a non-empty string, found the string \"  \"");
    }

    @Test
    void shouldRefuseAnEmptyGroup() {
      Validation v = validate("name: Root\nsteps: []\n");

      assertThat(errors(v)).containsExactly("steps: a group needs at least one step");
    }

    @Test
    void shouldRefuseStepsThatAreNotAList() {
      Validation v = validate("name: Root\nsteps: { name: A }\n");

      assertThat(errors(v)).containsExactly("steps: must be a list of steps, found a mapping");
    }

    @Test
    void shouldRefuseAStepWithBothActionAndStepsOnce() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Both
                  action: { kind: noop }
                  steps: [ { name: Child, action: { kind: noop } } ]
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[0]: a step has exactly one of action (a leaf) or steps (a group), not both");
    }

    @Test
    void shouldRefuseAStepWithNeitherActionNorSteps() {
      Validation v = validate(leafWith("timeout: 10s"));

      assertThat(errors(v))
          .containsExactly("steps[0]: a step needs either action (a leaf) or steps (a group)");
    }

    @Test
    void shouldAcceptTheSeedsTypeOnALeaf() {
      Validation v = validate(leafWith("type: sequential", "action: { kind: noop }"));

      assertThat(errors(v)).isEmpty();
      assertThat(leaf(v, 0).action()).isInstanceOf(Action.Noop.class);
    }

    @Test
    void shouldRefuseAnUnknownGroupTypeWithDidYouMean() {
      Validation v =
          validate("name: Root\ntype: paralel\nsteps: [ { name: A, action: { kind: noop } } ]\n");

      assertThat(errors(v))
          .containsExactly(
              "type: must be sequential or parallel, found \"paralel\" (did you mean 'parallel'?)");
    }

    @Test
    void shouldDefaultAGroupToSequential() {
      Validation v = validate("name: Root\nsteps: [ { name: A, action: { kind: noop } } ]\n");

      assertThat(root(v).type()).isEqualTo(GroupType.SEQUENTIAL);
      assertThat(root(v).failFast()).isTrue();
    }

    @Test
    void shouldRefuseFailFastOnALeafAndWarnOnASequentialGroup() {
      Validation v =
          validate(
              """
              name: Root
              failFast: false
              steps:
                - name: A
                  failFast: true
                  action: { kind: noop }
              """);

      assertThat(errors(v)).containsExactly("steps[0].failFast: applies to parallel groups only");
      assertThat(warnings(v))
          .singleElement()
          .asString()
          .startsWith("failFast: applies to parallel groups only");
    }

    @Test
    void shouldInheritTheAgentPoolOfAGroup() {
      Validation v =
          validate(
              """
              name: Root
              agent: { pool: build }
              steps:
                - name: Compile
                  action: { kind: noop }
                - name: Deploy
                  agent: { pool: deploy }
                  action: { kind: noop }
              """);

      assertThat(leaf(v, 0).pool()).isEqualTo("build");
      assertThat(leaf(v, 1).pool()).isEqualTo("deploy");
    }

    @Test
    void shouldUseTheDefaultPoolWhenNoneIsNamed() {
      assertThat(leaf(validate(leafWith("action: { kind: noop }")), 0).pool())
          .isEqualTo(Leaf.DEFAULT_POOL);
    }

    @Test
    void shouldRefuseAPoolNameThatCannotBeATopicName() {
      Validation v = validate(leafWith("agent: { pool: \"db hosts\" }", "action: { kind: noop }"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].agent.pool: must be a pool name of letters, digits");
    }
  }

  @Nested
  class OnErrorAndRetries {
    @Test
    void shouldWarnNotFailWhenAGroupHasRetriesWithoutOnErrorRetry() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Deploy
                  retries: 2
                  steps: [ { name: A, action: { kind: noop } } ]
              """);

      assertThat(errors(v)).isEmpty();
      assertThat(warnings(v))
          .containsExactly("steps[0].retries: has no effect on a group unless onError is retry");
      assertThat(v.valid()).isTrue();
    }

    @Test
    void shouldRerunAGroupOnceByDefaultUnderOnErrorRetry() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Once
                  onError: retry
                  steps: [ { name: A, action: { kind: noop } } ]
                - name: Thrice
                  onError: retry
                  retries: 3
                  steps: [ { name: B, action: { kind: noop } } ]
              """);

      assertThat(warnings(v)).isEmpty();
      assertThat(root(v).steps()).extracting(Step::retries).containsExactly(1, 3);
      assertThat(root(v).steps()).extracting(Step::onError).containsOnly(OnError.RETRY);
    }

    @Test
    void shouldWarnThatRetryOnALeafWithoutRetriesDoesNothing() {
      Validation v = validate(leafWith("onError: retry", "action: { kind: noop }"));

      assertThat(errors(v)).isEmpty();
      assertThat(warnings(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].onError: retry on a leaf");
    }

    @Test
    void shouldWarnThatATimeoutOnAGroupBelowTheRootIsIgnored() {
      Validation v =
          validate(
              "name: Root\nsteps: [ { name: G, timeout: 1m, steps: [ { name: A, action: { kind:"
                  + " noop } } ] } ]\n");

      assertThat(warnings(v))
          .containsExactly(
              "steps[0].timeout: applies to leaves, and on the root group to the whole run; it is"
                  + " ignored here");
    }

    @Test
    void shouldTakeATimeoutOnTheRootGroupAsTheRunsTimeout() {
      Validation v =
          validate("name: Root\ntimeout: 2h\nsteps: [ { name: A, action: { kind: noop } } ]\n");

      assertThat(warnings(v)).isEmpty();
      assertThat(v.workflow().orElseThrow().timeout()).contains(java.time.Duration.ofHours(2));
    }

    @Test
    void shouldRefuseRetriesThatAreNotAWholeNumberInRange() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - { name: A, retries: -1, action: { kind: noop } }
                - { name: B, retries: 1001, action: { kind: noop } }
                - { name: C, retries: 1.5, action: { kind: noop } }
                - { name: D, retries: "3", action: { kind: noop } }
                - { name: E, retries: 1000, action: { kind: noop } }
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[0].retries: must be from 0 to 1000, found -1",
              "steps[1].retries: must be from 0 to 1000, found 1001",
              "steps[2].retries: must be a whole number from 0 to 1000, found the number 1.5",
              "steps[3].retries: must be a whole number from 0 to 1000, found the string \"3\"");
    }

    @Test
    void shouldKeepTheLeafsOnErrorAndRetries() {
      Validation v =
          validate(leafWith("onError: continue", "retries: 2", "action: { kind: noop }"));

      assertThat(leaf(v, 0).onError()).isEqualTo(OnError.CONTINUE);
      assertThat(leaf(v, 0).retries()).isEqualTo(2);
    }
  }

  @Nested
  class LimitsAndJson {
    @Test
    void shouldRefuseMoreStepsThanTheLimitOnce() {
      String yaml =
          """
          name: Root
          steps:
            - { name: A, action: { kind: noop } }
            - { name: B, action: { kind: noop } }
            - { name: C, action: { kind: noop } }
            - { name: D, action: { kind: noop } }
          """;

      Validation v = validate(yaml, new Limits(3, 32));

      assertThat(errors(v))
          .containsExactly("steps[2]: the workflow has more than 3 steps, the limit");
    }

    @Test
    void shouldRefuseNestingDeeperThanTheLimit() {
      String yaml =
          """
          name: Root
          steps:
            - name: L1
              steps:
                - name: L2
                  steps:
                    - name: L3
                      action: { kind: noop }
          """;

      assertThat(errors(validate(yaml, new Limits(100, 3)))).isEmpty();
      assertThat(errors(validate(yaml, new Limits(100, 2))))
          .containsExactly("steps[0].steps[0].steps[0]: steps are nested 3 deep; the limit is 2");
    }

    @Test
    void shouldAcceptTenThousandStepsUnderTheDefaultLimits() {
      // given a parallel group of 10,000 leaves, each reading the same earlier step
      ObjectNode tree = JsonNodeFactory.instance.objectNode();
      tree.put("name", "Fan-out");
      ArrayNode top = tree.putArray("steps");
      top.addObject().put("name", "Prepare").putObject("action").put("kind", "noop");
      ObjectNode fan = top.addObject().put("name", "Fan").put("type", "parallel");
      ArrayNode leaves = fan.putArray("steps");
      for (int i = 0; i < 10_000; i++) {
        ObjectNode leaf = leaves.addObject().put("name", "Task " + i);
        leaf.put("condition", "steps['Prepare'].status == 'success'");
        leaf.putObject("action").put("kind", "noop");
      }

      // when
      Validation v = WorkflowValidator.validate(tree);

      // then
      assertThat(v.problems()).isEmpty();
      assertThat(((Group) root(v).steps().get(1)).steps()).hasSize(10_000);
    }

    @Test
    void shouldValidateAJsonDefinitionLikeTheSameYaml() {
      // given
      String json =
          """
          {"name": "Root", "type": "parallel",
           "steps": [{"name": "A", "action": {"kind": "shell", "command": "true"}, "timeout": 1500},
                     {"name": "B", "action": {"kind": "noop"}, "retires": 1}]}
          """;

      // when
      DefinitionReader.Result read = DefinitionReader.parse(json, true);
      Validation v = WorkflowValidator.validate(read.tree());

      // then
      assertThat(read.problems()).isEmpty();
      assertThat(errors(v))
          .containsExactly(
              "steps[1].retires: unknown field for a leaf step (did you mean 'retries'?)");
    }

    @Test
    void shouldBuildTheSameWorkflowFromJsonAndYaml() {
      String json =
          """
          {"name": "Root", "type": "parallel",
           "steps": [{"name": "A", "action": {"kind": "shell", "command": "true"}, "timeout": "1.5s"}]}
          """;
      String yaml =
          """
          name: Root
          type: parallel
          steps:
            - name: A
              action: { kind: shell, command: "true" }
              timeout: 1500
          """;

      Workflow fromJson =
          WorkflowValidator.validate(DefinitionReader.parse(json, true).tree()).workflow().get();
      Workflow fromYaml = validate(yaml).workflow().get();

      assertThat(fromJson).isEqualTo(fromYaml);
    }
  }
}
