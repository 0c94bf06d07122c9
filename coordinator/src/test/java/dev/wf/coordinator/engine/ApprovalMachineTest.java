package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Approval steps (DESIGN.md section 8): they wait for a person, on no agent. */
class ApprovalMachineTest {
  static final String SHIP =
      """
      name: Ship
      type: sequential
      inputs: { version: v1 }
      steps:
        - name: Approve
          action: { kind: approval, message: "Ship ${{ inputs.version }}?" }
          timeout: 1m
        - name: Deploy
          action: { kind: noop }
      """;

  private static Input.Signal signal(String step, boolean approve, String by, String comment) {
    return new Input.Signal(MachineFixture.RUN, step, approve, by, comment);
  }

  @Test
  void shouldAskWithTheRenderedMessageAndWaitOnNoAgent() {
    var f = given(SHIP).start(Map.of("version", TextNode.valueOf("v9")));
    assertThat(f.events(EventType.STEP_APPROVAL))
        .singleElement()
        .extracting(WorkflowEvent::message)
        .isEqualTo("Ship v9?");
    assertThat(f.dispatches()).isEmpty();
    StepResult waiting =
        f.snapshot().steps().stream().filter(s -> s.name().equals("Approve")).findFirst().get();
    assertThat(waiting.status()).isEqualTo(StepStatus.WAITING);
    assertThat(waiting.waitingFor()).isEqualTo("approval: Ship v9?");
  }

  @Test
  void shouldGoOnWithTheDecisionAsResultWhenApproved() {
    var f = given(SHIP).start().apply(signal("Approve", true, "ana", "ok")).runs("Deploy");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(f.step("Approve").result().get("decision").asText()).isEqualTo("approve");
    assertThat(f.step("Approve").result().get("by").asText()).isEqualTo("ana");
    assertThat(f.step("Approve").result().get("comment").asText()).isEqualTo("ok");
  }

  @Test
  void shouldFailTheStepWithWhoRejectedAndWhyWhenRejected() {
    var f = given(SHIP).start().apply(signal("Approve", false, "bo", "not today"));
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Approve").error()).isEqualTo("rejected by bo: not today");
    assertThat(f.dispatches()).as("Deploy never starts").isEmpty();
  }

  @Test
  void shouldRefuseASecondSignalAndSayWhyChangingNothing() {
    var f =
        given(SHIP)
            .start()
            .apply(signal("Approve", true, "ana", ""))
            .apply(signal("Approve", false, "eve", "late"));
    assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
    assertThat(f.events(EventType.SIGNAL_REFUSED))
        .singleElement()
        .extracting(WorkflowEvent::reason)
        .isEqualTo("step \"Approve\" has already ended (success)");
    assertThat(f.snapshot().steps())
        .filteredOn(s -> s.name().equals("Approve"))
        .singleElement()
        .extracting(StepResult::status)
        .isEqualTo(StepStatus.SUCCESS);
  }

  @Test
  void shouldRefuseASignalForAStepThatIsNotAnApprovalOrDoesNotExist() {
    var f = given(SHIP).start().apply(signal("Deploy", true, "ana", ""));
    f.apply(signal("Nope", true, "ana", ""));
    assertThat(f.events(EventType.SIGNAL_REFUSED))
        .extracting(WorkflowEvent::reason)
        .containsExactly(
            "step \"Deploy\" is not an approval", "the run has no step named \"Nope\"");
  }

  @Test
  void shouldTimeOutWhenNobodyDecidesInTime() {
    var f = given(SHIP).start().elapse(60_000);
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Approve").status()).isEqualTo(StepStatus.TIMEOUT);
    assertThat(f.step("Approve").error()).isEqualTo("no decision within 1m");
  }

  @Test
  void shouldCancelAWaitingApprovalWithItsRun() {
    var f = given(SHIP).start().cancelRun();
    assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(f.step("Approve").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(f.timers()).isEmpty();
  }
}
