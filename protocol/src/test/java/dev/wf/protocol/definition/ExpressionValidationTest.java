package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Definitions.errors;
import static dev.wf.protocol.definition.Definitions.leaf;
import static dev.wf.protocol.definition.Definitions.leafWith;
import static dev.wf.protocol.definition.Definitions.validate;
import static dev.wf.protocol.definition.Definitions.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.WorkflowValidator.Validation;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Conditions, templates and the references they make to other steps. */
class ExpressionValidationTest {

  @Nested
  class Conditions {
    @Test
    void shouldKeepAValidCondition() {
      Validation v =
          validate(leafWith("action: { kind: noop }", "condition: \"inputs.enrich == true\""));

      assertThat(v.problems()).isEmpty();
      assertThat(leaf(v, 0).condition()).contains("inputs.enrich == true");
    }

    @Test
    void shouldAcceptABooleanAsACondition() {
      Validation v = validate(leafWith("action: { kind: noop }", "condition: false"));

      assertThat(leaf(v, 0).condition()).contains("false");
    }

    @Test
    void shouldRefuseAConditionThatIsNotValidCel() {
      Validation v = validate(leafWith("action: { kind: noop }", "condition: \"inputs.x == \""));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].condition: is not a valid CEL expression: ")
          .doesNotContain("\n");
    }

    @Test
    void shouldRefuseAConditionThatIsNotBoolTyped() {
      Validation v = validate(leafWith("action: { kind: noop }", "condition: \"1 + 2\""));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].condition: must be a bool expression, but `1 + 2` is of type int");
    }

    @Test
    void shouldRefuseAStringCondition() {
      Validation v = validate(leafWith("action: { kind: noop }", "condition: \"'yes'\""));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].condition: must be a bool expression, but `'yes'` is of type string");
    }

    @Test
    void shouldRefuseAConditionThatIsNeitherStringNorBoolean() {
      Validation v = validate(leafWith("action: { kind: noop }", "condition: [ a ]"));

      assertThat(errors(v))
          .containsExactly("steps[0].condition: must be a CEL expression (a string), found a list");
    }

    @Test
    void shouldRefuseAConditionOverAnUndeclaredVariable() {
      Validation v =
          validate(leafWith("action: { kind: noop }", "condition: \"env.DEBUG == 'on'\""));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].condition: is not a valid CEL expression")
          .contains("env");
    }
  }

  @Nested
  class Templates {
    @Test
    void shouldRefuseATemplateInCommand() {
      Validation v =
          validate(leafWith("action: { kind: shell, command: \"deploy ${{ inputs.version }}\" }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.command: must not contain ${{ }} templates: pass values through env"
                  + " or args (they reach the command as $NAME or $1, never as shell syntax)");
    }

    @Test
    void shouldAcceptTemplatesInEnvArgsAndWorkdir() {
      Validation v =
          validate(
              """
              name: Root
              inputs: { version: v1, dir: /srv }
              steps:
                - name: Deploy
                  action:
                    kind: shell
                    command: "deploy \\"$1\\" \\"$VERSION\\""
                    args: [ "${{ inputs.version }}", 3 ]
                    env: { VERSION: "${{ inputs.version }}", RETRIES: 2 }
                    workdir: "${{ inputs.dir }}/app"
              """);

      assertThat(v.problems()).isEmpty();
      Action.Shell shell = (Action.Shell) leaf(v, 0).action();
      assertThat(shell.args()).containsExactly("${{ inputs.version }}", "3");
      assertThat(shell.env())
          .containsEntry("VERSION", "${{ inputs.version }}")
          .containsEntry("RETRIES", "2");
      assertThat(shell.workdir()).contains("${{ inputs.dir }}/app");
    }

    @Test
    void shouldRefuseInvalidCelInATemplate() {
      Validation v =
          validate(leafWith("action: { kind: shell, command: make, env: { A: \"${{ 1 + }}\" } }"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].action.env.A: invalid template: in `${{ 1 + }}`: ");
    }

    @Test
    void shouldRefuseATemplateThatIsNotClosed() {
      Validation v =
          validate(leafWith("action: { kind: shell, command: make, args: [ \"v${{ inputs.v\" ] }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.args[0]: invalid template: `${{` at character 2 is not closed by"
                  + " `}}`");
    }

    @Test
    void shouldCheckTemplatesInHttpUrlHeadersAndBody() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Call
                  action:
                    kind: http
                    url: "${{ inputs. }}"
                    headers: { X-Token: "${{ ) }}" }
                    body: "${{ ( }}"
              """);

      assertThat(v.errors())
          .extracting(Problem::path)
          .containsExactly(
              "steps[0].action.url", "steps[0].action.headers.X-Token", "steps[0].action.body");
    }

    @Test
    void shouldRefuseNestedValuesInEnv() {
      Validation v =
          validate(leafWith("action: { kind: shell, command: make, env: { A: { b: 1 } } }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.env.A: must be a string, number or boolean, found a mapping");
    }

    @Test
    void shouldRefuseAnEnvNameThatIsNotAVariableName() {
      Validation v = validate(leafWith("action: { kind: shell, command: make, env: { 1-A: x } }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.env.1-A: \"1-A\" is not a valid environment variable name");
    }
  }

  @Nested
  class References {
    static final String CHECKS =
        """
        name: Release
        steps:
          - name: Checks
            type: parallel
            steps:
              - name: Run Tests
                action: { kind: noop }
              - name: Lint
                action: { kind: noop }
          - name: Notify
            action: { kind: noop }
        """;

    @Test
    void shouldRefuseAReferenceToAnUnknownStepWithDidYouMean() {
      Validation v =
          validate(CHECKS + "    condition: \"steps['Run Tets'].status == 'success'\"\n");

      assertThat(errors(v))
          .containsExactly(
              "steps[1].condition: refers to step \"Run Tets\", which does not exist"
                  + " (did you mean 'Run Tests'?)");
    }

    @Test
    void shouldRefuseAnUnknownStepReadWithADot() {
      Validation v = validate(CHECKS + "    condition: \"steps.Lnt.status == 'success'\"\n");

      assertThat(errors(v))
          .containsExactly(
              "steps[1].condition: refers to step \"Lnt\", which does not exist (did you mean"
                  + " 'Lint'?)");
    }

    @Test
    void shouldRefuseAnUnknownStepInATemplate() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Build Image
                  action: { kind: noop }
                - name: Push
                  action:
                    kind: shell
                    command: push "$IMAGE"
                    env: { IMAGE: "${{ steps['Build Imag'].result.image }}" }
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[1].action.env.IMAGE: refers to step \"Build Imag\", which does not exist"
                  + " (did you mean 'Build Image'?)");
    }

    @Test
    void shouldAcceptReferencesToStepsThatEndedEarlierInASequence() {
      Validation v =
          validate(
              CHECKS
                  + "    condition: \"steps['Run Tests'].status == 'success' && steps.Lint.status"
                  + " == 'success' && steps['Checks'].status == 'success'\"\n");

      assertThat(v.problems()).isEmpty();
    }

    @Test
    void shouldWarnNotFailWhenAConditionReadsAParallelSibling() {
      Validation v =
          validate(
              """
              name: Root
              type: parallel
              steps:
                - name: A
                  action: { kind: noop }
                - name: B
                  action: { kind: noop }
                  condition: "steps['A'].status == 'success'"
              """);

      assertThat(errors(v)).isEmpty();
      assertThat(warnings(v))
          .singleElement()
          .asString()
          .startsWith("steps[1].condition: refers to step \"A\", which may not have ended");
      assertThat(v.valid()).isTrue();
    }

    @Test
    void shouldWarnWhenATemplateReadsALaterStep() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Early
                  action: { kind: shell, command: make, args: [ "${{ steps['Late'].result }}" ] }
                - name: Late
                  action: { kind: noop }
              """);

      assertThat(warnings(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].action.args[0]: refers to step \"Late\", which may not have ended");
    }

    @Test
    void shouldWarnWhenAGroupConditionReadsItsOwnChild() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - name: Outer
                  condition: "steps['Inner'].status == 'success'"
                  steps:
                    - name: Inner
                      action: { kind: noop }
              """);

      assertThat(warnings(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].condition: refers to step \"Inner\", which may not have ended");
    }

    @Test
    void shouldNotMistakeFieldsNamedStepsForStepReferences() {
      // a step's result and an input may hold fields called steps or substeps
      Validation v =
          validate(
              """
              name: Root
              inputs: { steps: { count: 1 } }
              steps:
                - name: Plan
                  action: { kind: noop, result: { substeps: { a: 1 }, steps: { b: 2 } } }
                - name: Apply
                  action: { kind: noop }
                  condition: >-
                    steps['Plan'].result.substeps['a'] == 1
                    && steps['Plan'].result.steps.b == 2
                    && inputs.steps.count == 1
              """);

      assertThat(v.problems()).isEmpty();
    }
  }
}
