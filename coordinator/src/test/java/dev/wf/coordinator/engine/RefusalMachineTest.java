package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import org.junit.jupiter.api.Test;

/**
 * An agent's refusal of a dispatch: it fails the step only when the record was the coordinator's.
 */
class RefusalMachineTest {
  static final String ONE = "name: Deploy\naction: { kind: noop }\ntimeout: 10s\n";

  private static Input refused(Dispatch d, boolean verified) {
    return new Input.Report(
        new StepReport.Refused(
            MachineFixture.RUN, d.dispatchId(), "agent-a", 0, "the reason", verified));
  }

  @Test
  void shouldFailTheStepWhenAnAgentRefusesTheGenuineDispatch() {
    var f = given(ONE).start();
    f.apply(refused(f.dispatchOf("Deploy"), true));
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Deploy").error())
        .isEqualTo("agent agent-a refused the dispatch: the reason");
  }

  @Test
  void shouldFailNothingWhenTheRefusedRecordDidNotVerify() {
    var f = given(ONE).start();
    Dispatch genuine = f.dispatchOf("Deploy");
    f.apply(refused(genuine, false));
    assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
    assertThat(f.events(EventType.DISPATCH_REFUSED)).as("said, for the operators").hasSize(1);
    assertThat(f.published()).isEmpty();
    f.runs("Deploy");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(f.step("Deploy").status()).isEqualTo(StepStatus.SUCCESS);
  }
}
