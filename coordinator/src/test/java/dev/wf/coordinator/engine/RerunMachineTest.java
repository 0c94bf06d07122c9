package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reruns (DESIGN.md section 8): which steps of the earlier run a new run takes as they were. */
class RerunMachineTest {
  static final String PIPELINE =
      """
      name: Pipeline
      type: sequential
      steps:
        - name: Extract
          action: { kind: noop }
        - name: Checks
          type: parallel
          steps:
            - name: Lint
              action: { kind: noop }
            - name: Test
              action: { kind: noop }
        - name: Load
          action: { kind: noop }
          condition: "steps.Extract.result.rows == 3"
      """;

  /** The earlier run: Extract and Lint succeed, Test fails. */
  private static MachineFixture failedRun() {
    return given(PIPELINE)
        .start()
        .runs("Extract", dev.wf.protocol.Json.MAPPER.createObjectNode().put("rows", 3))
        .runs("Lint")
        .started("Test")
        .fails("Test", "exit 1");
  }

  private static MachineFixture rerun(MachineFixture old, String from) {
    Reruns.Reuse reuse = Reruns.of(old.plan(), old.store(), from).orElseThrow();
    return given(PIPELINE).apply(new Input.StartRun(MachineFixture.RUN, Map.of(), reuse));
  }

  @Test
  void shouldTakeWhatSucceededAndRunAgainWhatDidNotWithTheGroupsThatHoldIt() {
    var f = rerun(failedRun(), null);
    assertThat(f.dispatchedSteps()).containsExactly("Test");
    f.runs("Test").runs("Load");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(f.result().rerunOf()).isEqualTo(MachineFixture.RUN);
    assertThat(f.result().steps())
        .extracting(StepResult::name, s -> Boolean.TRUE.equals(s.reused()))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Extract", true),
            org.assertj.core.groups.Tuple.tuple("Lint", true),
            org.assertj.core.groups.Tuple.tuple("Test", false),
            org.assertj.core.groups.Tuple.tuple("Checks", false),
            org.assertj.core.groups.Tuple.tuple("Load", false),
            org.assertj.core.groups.Tuple.tuple("Pipeline", false));
    assertThat(f.step("Extract").result().get("rows").asInt())
        .as("the old result, which Load's condition reads")
        .isEqualTo(3);
    assertThat(f.events(EventType.STEP_COMPLETE))
        .filteredOn(e -> "Extract".equals(e.step()))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("reused from run run-1"));
  }

  @Test
  void shouldTakeOnlyWhatSucceededBeforeFromInTheSequentialOrder() {
    var f = rerun(failedRun(), "Checks");
    assertThat(f.dispatchedSteps()).containsExactly("Lint", "Test");
    var fromLint = rerun(failedRun(), "Lint");
    assertThat(fromLint.dispatchedSteps())
        .as("Lint and Test run side by side: neither is before the other")
        .containsExactly("Lint", "Test");
    var fromExtract = rerun(failedRun(), "Extract");
    assertThat(fromExtract.dispatchedSteps()).containsExactly("Extract");
  }

  @Test
  void shouldTakeAGroupThatSucceededWholeWithItsSteps() {
    var old =
        given(PIPELINE)
            .start()
            .runs("Extract", dev.wf.protocol.Json.MAPPER.createObjectNode().put("rows", 3))
            .runs("Lint")
            .runs("Test")
            .started("Load")
            .fails("Load", "disk full");
    var f = rerun(old, null);
    assertThat(f.dispatchedSteps()).containsExactly("Load");
    f.runs("Load");
    assertThat(f.result().steps())
        .filteredOn(s -> Boolean.TRUE.equals(s.reused()))
        .extracting(StepResult::name)
        .containsExactly("Extract", "Lint", "Test", "Checks");
  }

  @Test
  void shouldSayNothingCanBeTakenWhenFromNamesNoStep() {
    var old = failedRun();
    assertThat(Reruns.of(old.plan(), old.store(), "Nope")).isEmpty();
  }
}
