package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.ReferenceModel.Try.FAIL;
import static dev.wf.coordinator.engine.ReferenceModel.Try.SUCCEED;
import static dev.wf.coordinator.engine.ReferenceModel.Try.TIME_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wf.coordinator.engine.ReferenceModel.Expected;
import dev.wf.coordinator.engine.ReferenceModel.Try;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reference model on workflows whose outcome can be read off DESIGN.md by hand, so that the
 * property comparing it with the machine rests on something checked; each case is also run on the
 * machine, which must agree.
 */
class ReferenceModelTest {

  private static Expected expect(String yaml, Map<String, List<Try>> scripts) {
    Expected model = ReferenceModel.expect(DefinitionReader.parse(yaml, false).tree(), scripts);
    String json = DefinitionReader.parse(yaml, false).tree().toString();
    assertThat(
            ReferenceModelPropertiesTest.differences(
                model, ScriptedRun.run(json, scripts).result()))
        .as("the machine against the model")
        .isEmpty();
    return model;
  }

  /** Steps as {@code name=status}, in the order the model ended them. */
  private static List<String> lines(Expected e) {
    return e.steps().values().stream().map(s -> s.name() + "=" + s.status().word()).toList();
  }

  private static ReferenceModel.Step step(Expected e, String name) {
    return e.steps().values().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void shouldStopASequenceAtAFailureAndListOnlyTheLeafInErrors() {
    var e =
        expect(
            """
            name: Root
            type: sequential
            steps:
              - { name: A, action: { kind: noop } }
              - { name: B, action: { kind: noop } }
              - { name: C, action: { kind: noop } }
            """,
            Map.of("B", List.of(FAIL)));
    assertThat(lines(e)).containsExactly("A=success", "B=failed", "Root=failed");
    assertThat(e.errors()).containsExactly("Root.sequential[1]");
    assertThat(e.status()).isEqualTo(RunStatus.FAILED);
    assertThat(e.success()).isFalse();
  }

  @Test
  void shouldUseRetriesOnTheAgentAndSayTimeoutWhenTheLastTryTimedOut() {
    var e =
        expect(
            """
            name: Root
            type: sequential
            onError: continue
            steps:
              - { name: A, retries: 2, action: { kind: noop } }
              - { name: B, retries: 1, action: { kind: noop } }
            """,
            Map.of("A", List.of(FAIL, TIME_OUT, SUCCEED), "B", List.of(FAIL, TIME_OUT)));
    assertThat(step(e, "A").retries()).isEqualTo(2);
    assertThat(step(e, "A").attempts())
        .containsExactly(AttemptStatus.FAILED, AttemptStatus.TIMEOUT, AttemptStatus.SUCCESS);
    assertThat(step(e, "A").result()).isEqualTo(ReferenceModel.result("A", 3));
    assertThat(lines(e)).containsExactly("A=success", "B=timeout", "Root=failed");
    assertThat(e.success()).as("the root forgives under its own continue").isTrue();
    assertThat(e.errors()).containsExactly("Root.sequential[1]");
  }

  @Test
  void shouldCancelTheSiblingsAfterAFailureUnlessFailFastIsOff() {
    String par =
        """
        name: Root
        type: sequential
        steps:
          - name: P
            type: parallel
            %s
            steps:
              - { name: A, action: { kind: noop } }
              - { name: B, action: { kind: noop } }
              - name: G
                type: sequential
                steps:
                  - { name: C, condition: "false", action: { kind: noop } }
                  - { name: D, action: { kind: noop } }
                  - { name: E, action: { kind: noop } }
        """;
    var e = expect(par.formatted(""), Map.of("B", List.of(FAIL)));
    assertThat(lines(e))
        .containsExactly(
            "A=success",
            "B=failed",
            "C=skipped",
            "D=cancelled",
            "G=cancelled",
            "P=failed",
            "Root=failed");
    var on = expect(par.formatted("failFast: false"), Map.of("B", List.of(FAIL)));
    assertThat(lines(on))
        .containsExactly(
            "A=success",
            "B=failed",
            "C=skipped",
            "D=success",
            "E=success",
            "G=success",
            "P=failed",
            "Root=failed");
  }

  @Test
  void shouldRunAGroupAgainUnderRetryAndKeepOnlyItsLastRun() {
    var e =
        expect(
            """
            name: Root
            type: sequential
            steps:
              - name: G
                type: sequential
                onError: retry
                retries: 2
                steps:
                  - { name: A, action: { kind: noop } }
                  - { name: B, action: { kind: noop } }
            """,
            Map.of("A", List.of(SUCCEED, FAIL), "B", List.of(FAIL)));
    assertThat(lines(e)).containsExactly("A=success", "B=success", "G=success", "Root=success");
    assertThat(step(e, "G").retries()).isEqualTo(2);
    assertThat(step(e, "G").attempts()).hasSize(2);
    assertThat(step(e, "A").result()).isEqualTo(ReferenceModel.result("A", 3));
    assertThat(e.errors()).as("earlier runs of the group add no error").isEmpty();
  }

  @Test
  void shouldListOnlyWhatTheLastRunOfAGroupReached() {
    var e =
        expect(
            """
            name: Root
            type: sequential
            steps:
              - name: G
                type: sequential
                onError: retry
                steps:
                  - { name: A, action: { kind: noop } }
                  - { name: B, action: { kind: noop } }
            """,
            Map.of("A", List.of(SUCCEED, FAIL), "B", List.of(FAIL)));
    assertThat(lines(e)).containsExactly("A=failed", "G=failed", "Root=failed");
    assertThat(e.errors())
        .as("B failed in the first run only")
        .containsExactly("Root.sequential[0].sequential[0]");
  }

  @Test
  void shouldSkipOnAFalseConditionAndFailWhereAConditionCannotBeEvaluated() {
    var e =
        expect(
            """
            name: Root
            type: sequential
            steps:
              - name: G
                type: parallel
                condition: "false"
                steps: [ { name: A, action: { kind: noop } } ]
              - { name: B, condition: "steps['G'].status == 'success'", action: { kind: noop } }
              - { name: C, condition: "steps['G'].status != 'failed'", action: { kind: noop } }
              - { name: D, onError: continue, condition: "inputs['nope'] == true",
                  action: { kind: noop } }
              - { name: E, action: { kind: noop } }
            """,
            Map.of());
    assertThat(lines(e))
        .containsExactly(
            "G=skipped", "B=skipped", "C=success", "D=failed", "E=success", "Root=success");
    assertThat(e.errors()).containsExactly("Root.sequential[3]");
  }

  @Test
  void shouldRefuseWhatTheContractLeavesToTiming() {
    String yaml =
        """
        name: Root
        type: parallel
        steps:
          - { name: A, action: { kind: noop } }
          - { name: B, condition: "inputs['nope'] == true", action: { kind: noop } }
        """;
    assertThatThrownBy(
            () -> ReferenceModel.expect(DefinitionReader.parse(yaml, false).tree(), Map.of()))
        .hasMessageContaining("does not decide");
  }
}
