package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.Concurrency;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import org.junit.jupiter.api.Test;

/** Concurrency keys, deadlines and the run's timeout (DESIGN.md section 8), in the machine. */
class KeysAndTimeMachineTest {
  static final String KEYED =
      """
      name: Deploy
      type: sequential
      concurrency: { key: "deploy-${{ inputs.env }}", onBusy: %s }
      inputs: { env: prod }
      steps:
        - name: Roll out
          action: { kind: noop }
      """;

  private static Input.KeyAnswer answer(KeyKeeper.Answer a, String holder) {
    return new Input.KeyAnswer(a, "deploy-prod", "Deploy", holder);
  }

  @Test
  void shouldAskForTheRenderedKeyAndStartOnlyOnceGranted() {
    var f = given(KEYED.formatted("queue")).start();
    assertThat(f.commands())
        .filteredOn(Command.Acquire.class::isInstance)
        .containsExactly(
            new Command.Acquire("deploy-prod", "run-1", "Deploy", Concurrency.OnBusy.QUEUE));
    assertThat(f.dispatches()).isEmpty();
    f.apply(answer(KeyKeeper.Answer.QUEUED, "run run-0"));
    assertThat(f.events(EventType.STEP_QUEUED))
        .singleElement()
        .extracting(WorkflowEvent::reason)
        .isEqualTo("concurrency key \"deploy-prod\" is held by run run-0");
    assertThat(f.snapshot().steps())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.status()).isEqualTo(StepStatus.WAITING);
              assertThat(s.waitingFor())
                  .isEqualTo("concurrency key \"deploy-prod\", held by run run-0");
            });
    f.apply(answer(KeyKeeper.Answer.GRANTED, null)).runs("Roll out");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(f.commands())
        .filteredOn(Command.Release.class::isInstance)
        .containsExactly(new Command.Release("deploy-prod", "run-1", "Deploy"));
  }

  @Test
  void shouldFailAtOnceWhenRefused() {
    var f =
        given(KEYED.formatted("fail")).start().apply(answer(KeyKeeper.Answer.REFUSED, "run run-0"));
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Deploy").error())
        .isEqualTo("concurrency key \"deploy-prod\" is held by run run-0 (onBusy: fail)");
  }

  @Test
  void shouldCancelTheRunWhenAnotherTakesItsKey() {
    var f =
        given(KEYED.formatted("queue"))
            .start()
            .apply(answer(KeyKeeper.Answer.GRANTED, null))
            .started("Roll out")
            .apply(answer(KeyKeeper.Answer.PREEMPTED, "run run-9"));
    assertThat(f.cancels()).hasSize(1);
    f.finished("Roll out", 1, dev.wf.protocol.result.AttemptStatus.CANCELLED, null, "killed");
    assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(f.commands())
        .as("the cancelled holder lets go of its key once its run has ended")
        .filteredOn(Command.Release.class::isInstance)
        .containsExactly(new Command.Release("deploy-prod", "run-1", "Deploy"));
    assertThat(f.events(EventType.WORKFLOW_CANCELLED))
        .singleElement()
        .extracting(WorkflowEvent::reason)
        .isEqualTo("run run-9 took concurrency key \"deploy-prod\"");
  }

  @Test
  void shouldLetGoOfTheKeyWhenCancelledWhileWaitingForIt() {
    var f = given(KEYED.formatted("queue")).start().cancelRun();
    assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(f.commands()).filteredOn(Command.Release.class::isInstance).hasSize(1);
    f.apply(answer(KeyKeeper.Answer.GRANTED, null));
    assertThat(f.lastRejection()).contains(Rejection.Type.ENDED);
  }

  @Test
  void shouldTimeOutALeafAtItsDeadlineWhateverItIsDoing() {
    var f =
        given(
                """
                name: Slow
                action: { kind: noop }
                timeout: 1m
                retries: 5
                deadline: 30s
                nonRetryable: { exitCodes: [2] }
                """)
            .start();
    assertThat(f.dispatchOf("Slow").deadlineAt()).isEqualTo(f.now() + 30_000);
    assertThat(f.dispatchOf("Slow").nonRetryable().exitCodes()).containsExactly(2);
    f.started("Slow").elapse(30_000);
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Slow").status()).isEqualTo(StepStatus.TIMEOUT);
    assertThat(f.step("Slow").error()).isEqualTo("deadline: the step took longer than 30s");
    assertThat(f.cancels()).hasSize(1);
  }

  @Test
  void shouldFailTheRunAtItsTimeoutCancellingWhatRuns() {
    var f =
        given(
                """
                name: Bounded
                type: sequential
                timeout: 10m
                onError: retry
                retries: 3
                steps:
                  - name: Long
                    action: { kind: noop }
                    timeout: 20m
                """)
            .start()
            .started("Long")
            .elapse(600_000);
    assertThat(f.cancels()).hasSize(1);
    f.finished("Long", 1, dev.wf.protocol.result.AttemptStatus.CANCELLED, null, "killed");
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.step("Long").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(f.step("Bounded").status()).isEqualTo(StepStatus.TIMEOUT);
    assertThat(f.result().errors())
        .singleElement()
        .satisfies(
            e -> assertThat(e.message()).isEqualTo("run timeout: the run took longer than 10m"));
    assertThat(f.events(EventType.STEP_RETRY)).as("no group retry after the timeout").isEmpty();
  }
}
