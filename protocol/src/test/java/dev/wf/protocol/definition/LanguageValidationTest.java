package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Definitions.errors;
import static dev.wf.protocol.definition.Definitions.validate;
import static dev.wf.protocol.definition.Definitions.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.WorkflowValidator.Validation;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fields DESIGN.md section 8 adds, read and refused with every problem at once. */
class LanguageValidationTest {
  @Test
  void shouldReadEveryNewFieldIntoTheWorkflow() {
    Validation v =
        validate(
            """
            name: Release
            type: sequential
            timeout: 2h
            concurrency: { key: "deploy-${{ inputs.env }}", onBusy: cancel-running }
            inputs: { env: prod, services: [a, b] }
            steps:
              - name: Fan
                type: parallel
                forEach: "inputs.services"
                maxParallel: 3
                steps:
                  - name: Deploy
                    action: { kind: shell, command: 'deploy "$1"', args: ["${{ item }}"] }
                    nonRetryable: { exitCodes: [2, 64], statuses: [404] }
                    deadline: 30m
              - name: Approve
                action: { kind: approval, message: "Ship ${{ inputs.env }}?" }
                condition: "steps['Deploy[1]'].status == 'success'"
            """);
    assertThat(errors(v)).isEmpty();
    assertThat(warnings(v)).isEmpty();
    Workflow w = v.workflow().orElseThrow();
    assertThat(w.timeout()).contains(Duration.ofHours(2));
    Group root = (Group) w.root();
    assertThat(root.concurrency())
        .contains(new Concurrency("deploy-${{ inputs.env }}", Concurrency.OnBusy.CANCEL_RUNNING));
    Group fan = (Group) root.steps().get(0);
    assertThat(fan.forEach()).contains("inputs.services");
    assertThat(fan.maxParallel()).isEqualTo(3);
    Leaf deploy = (Leaf) fan.steps().get(0);
    assertThat(deploy.nonRetryable()).isEqualTo(new NonRetryable(Set.of(2, 64), Set.of(404)));
    assertThat(deploy.deadline()).contains(Duration.ofMinutes(30));
    assertThat(((Leaf) root.steps().get(1)).action())
        .isEqualTo(new Action.Approval("Ship ${{ inputs.env }}?"));
  }

  @Test
  void shouldReportEveryProblemOfTheNewFieldsAtOnceWithItsPath() {
    Validation v =
        validate(
            """
            name: Release
            concurrency: { key: "", onBusy: queu, owner: me }
            steps:
              - name: Fan
                forEach: 42
                maxParallel: 0
                steps:
                  - name: Deploy
                    action: { kind: noop }
                    nonRetryable: { exitCodes: [300], codes: [1] }
                    deadline: soon
              - name: Plain
                maxParallel: 2
                steps:
                  - name: Use
                    action: { kind: shell, command: echo, args: ["${{ item }}"] }
              - name: Ask
                action: { kind: aproval, message: hi }
              - name: Ask2
                action: { kind: approval }
              - name: Late
                action: { kind: noop }
                condition: "steps.Deploy.status == 'success'"
            """);
    assertThat(errors(v))
        .containsExactlyInAnyOrder(
            "concurrency.owner: unknown field; expected one of key, onBusy",
            "concurrency.key: must be a non-empty string, found the string \"\"",
            "concurrency.onBusy: must be queue, cancel-running or fail, found the string \"queu\""
                + " (did you mean 'queue'?)",
            "steps[0].forEach: must be a CEL expression giving a list (a string), found the"
                + " number 42",
            "steps[0].maxParallel: must be a whole number of at least 1, found the number 0",
            "steps[0].steps[0].nonRetryable.codes: unknown field; expected one of exitCodes,"
                + " statuses",
            "steps[0].steps[0].nonRetryable.exitCodes[0]: must be a whole number from 0 to 255,"
                + " found the number 300",
            "steps[0].steps[0].deadline: \"soon\" is not a duration (use milliseconds, or a"
                + " string like 500ms, 10s, 5m, 1h)",
            "steps[1].maxParallel: applies to groups with forEach only (it caps how many items"
                + " run at once)",
            "steps[1].steps[0].action.args[0]: uses `item`, which is defined only in the steps"
                + " of a group with forEach",
            "steps[2].action.kind: unknown action kind \"aproval\" (did you mean 'approval'?)",
            "steps[3].action.message: is required (what the approver is asked)",
            "steps[4].condition: refers to step \"Deploy\", which runs once per item of a"
                + " forEach group: name one item, as steps['Deploy[0]']");
  }

  @Test
  void shouldSuggestTheNewFieldsForTheirMisspellings() {
    Validation v =
        validate(
            """
            name: Release
            steps:
              - name: Fan
                forEch: "inputs.services"
                steps:
                  - name: Deploy
                    action: { kind: noop }
                    dedline: 1m
            """);
    assertThat(errors(v))
        .anySatisfy(e -> assertThat(e).startsWith("steps[0].forEch: ").contains("'forEach'"))
        .anySatisfy(
            e -> assertThat(e).startsWith("steps[0].steps[0].dedline: ").contains("'deadline'"));
  }

  @Test
  void shouldRefuseANumberedNameThatNamesNoItem() {
    Validation v =
        validate(
            """
            name: Release
            steps:
              - name: Build
                action: { kind: noop }
              - name: Use
                action: { kind: noop }
                condition: "steps['Build[0]'].status == 'success'"
            """);
    assertThat(errors(v))
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .startsWith(
                        "steps[1].condition: refers to step \"Build[0]\", which does not exist"));
  }
}
