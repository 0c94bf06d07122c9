package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class RunMachineTest {
  static final String SEQ =
      """
      name: Root
      type: sequential
      steps:
        - name: A
          action: { kind: noop }
        - name: B
          action: { kind: noop }
        - name: C
          action: { kind: noop }
      """;

  static final String PAR =
      """
      name: Root
      type: parallel
      steps:
        - name: A
          action: { kind: noop }
        - name: B
          action: { kind: noop }
        - name: C
          action: { kind: noop }
      """;

  @Nested
  class Sequential {
    @Test
    void shouldDispatchOnlyTheFirstStepWhenARunStarts() {
      var f = given(SEQ).start();
      assertThat(f.dispatchedSteps()).containsExactly("A");
      assertThat(f.dispatchOf("A").path()).isEqualTo("Root.sequential[0]");
    }

    @Test
    void shouldRunStepsOneAfterAnotherAndSucceed() {
      var f = given(SEQ).start().runs("A");
      assertThat(f.dispatchedSteps()).containsExactly("A", "B");
      f.runs("B").runs("C");
      assertThat(f.result().success()).isTrue();
      assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(f.stepLines())
          .containsExactly("A=success", "B=success", "C=success", "Root=success");
      assertThat(f.result().steps())
          .extracting(s -> s.path())
          .containsExactly(
              "Root.sequential[0]", "Root.sequential[1]", "Root.sequential[2]", "Root");
    }

    @Test
    void shouldEmitTheSeedsEventsInOrder() {
      var f = given(SEQ).start().runs("A").runs("B").runs("C");
      assertThat(f.eventLines())
          .containsExactly(
              "workflow:start Root",
              "step:start Root",
              "step:start A",
              "step:complete A",
              "step:start B",
              "step:complete B",
              "step:start C",
              "step:complete C",
              "step:complete Root",
              "workflow:complete Root");
    }

    @Test
    void shouldStopAtAFailureAndNotListTheStepsThatNeverStarted() {
      var f = given(SEQ).start().runs("A").started("B").fails("B", "exit 1: boom");
      assertThat(f.dispatchedSteps()).containsExactly("A", "B");
      assertThat(f.stepLines()).containsExactly("A=success", "B=failed", "Root=failed");
      assertThat(f.result().success()).isFalse();
      assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
      assertThat(f.result().errors())
          .containsExactly(new ErrorEntry("Root.sequential[1]", "B", "exit 1: boom"));
      assertThat(f.step("Root").error()).isEqualTo("step \"B\" failed: exit 1: boom");
    }

    @Test
    void shouldEmitWorkflowFailedJustBeforeWorkflowComplete() {
      var f = given(SEQ).start().started("A").fails("A", "no");
      var lines = f.eventLines();
      assertThat(lines.subList(lines.size() - 2, lines.size()))
          .containsExactly("workflow:failed Root", "workflow:complete Root");
      assertThat(f.events(EventType.WORKFLOW_COMPLETE).get(0).result().get("success").asBoolean())
          .isFalse();
    }

    @Test
    void shouldGoOnAfterAFailedStepThatSaysContinue() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  steps:
                    - name: A
                      action: { kind: noop }
                      onError: continue
                    - name: B
                      action: { kind: noop }
                  """)
              .start()
              .started("A")
              .fails("A", "flaky")
              .runs("B");
      assertThat(f.stepLines()).containsExactly("A=failed", "B=success", "Root=success");
      assertThat(f.result().success()).isTrue();
      assertThat(f.result().errors()).extracting(ErrorEntry::step).containsExactly("A");
    }
  }

  @Nested
  class Parallel {
    @Test
    void shouldDispatchEveryChildAtOnce() {
      var f = given(PAR).start();
      assertThat(f.dispatchedSteps()).containsExactly("A", "B", "C");
      assertThat(f.dispatchOf("C").path()).isEqualTo("Root.parallel[2]");
    }

    @Test
    void shouldEndTheGroupOnlyWhenEveryChildEnded() {
      var f = given(PAR).start().runs("B").runs("A");
      assertThat(f.published()).isEmpty();
      f.runs("C");
      assertThat(f.stepLines())
          .containsExactly("B=success", "A=success", "C=success", "Root=success");
    }

    @Test
    void shouldCancelRunningSiblingsWhenParallelChildFails() {
      var f = given(PAR).start().started("A").started("B").started("C").fails("B", "exit 2");
      assertThat(f.cancels())
          .extracting(Command.CancelAttempt::dispatchId)
          .containsExactlyInAnyOrder(
              f.dispatchOf("A").dispatchId(), f.dispatchOf("C").dispatchId());
      assertThat(f.published()).as("the group waits for its cancelled children").isEmpty();
      f.finished("A", 1, AttemptStatus.CANCELLED, null, "cancelled");
      f.finished("C", 1, AttemptStatus.CANCELLED, null, "cancelled");
      assertThat(f.stepLines())
          .containsExactly("B=failed", "A=cancelled", "C=cancelled", "Root=failed");
      assertThat(f.result().errors()).extracting(ErrorEntry::step).containsExactly("B");
    }

    @Test
    void shouldCancelSiblingsNotYetStartedAtOnceWithoutWaitingForAnAgent() {
      var f = given(PAR).start().started("B").fails("B", "exit 2");
      assertThat(f.cancels()).isEmpty();
      assertThat(f.stepLines())
          .containsExactly("B=failed", "A=cancelled", "C=cancelled", "Root=failed");
    }

    @Test
    void shouldRecordASiblingThatSucceededWhileBeingCancelled() {
      var f = given(PAR).start().started("A").started("B").started("C").fails("B", "x");
      f.succeeds("A").finished("C", 1, AttemptStatus.CANCELLED, null, "killed");
      assertThat(f.stepLines())
          .containsExactly("B=failed", "A=success", "C=cancelled", "Root=failed");
    }

    @Test
    void shouldCountACancelAsDoneWhenTheAgentNeverConfirms() {
      var f = given(PAR).start().started("A").started("B").fails("B", "x");
      f.elapse(Duration.ofSeconds(16).toMillis());
      assertThat(f.stepLines())
          .containsExactly("B=failed", "C=cancelled", "A=cancelled", "Root=failed");
      assertThat(f.step("A").attempts())
          .extracting(a -> a.status())
          .containsExactly(AttemptStatus.CANCELLED);
    }

    @Test
    void shouldLetEveryChildFinishWhenFailFastIsOff() {
      var f =
          given(
                  """
                  name: Root
                  type: parallel
                  failFast: false
                  steps:
                    - { name: A, action: { kind: noop } }
                    - { name: B, action: { kind: noop } }
                  """)
              .start()
              .started("A")
              .started("B")
              .fails("A", "x");
      assertThat(f.cancels()).isEmpty();
      assertThat(f.published()).isEmpty();
      f.succeeds("B");
      assertThat(f.stepLines()).containsExactly("A=failed", "B=success", "Root=failed");
    }

    @Test
    void shouldSucceedWhenAFailedChildSaysContinue() {
      var f =
          given(
                  """
                  name: Root
                  type: parallel
                  steps:
                    - { name: A, action: { kind: noop }, onError: continue }
                    - { name: B, action: { kind: noop } }
                  """)
              .start()
              .started("A")
              .fails("A", "x")
              .runs("B");
      assertThat(f.cancels()).isEmpty();
      assertThat(f.stepLines()).containsExactly("A=failed", "B=success", "Root=success");
      assertThat(f.result().errors()).hasSize(1);
    }

    @Test
    void shouldCancelANestedSequentialBranchAndStartNothingMoreInIt() {
      var f =
          given(
                  """
                  name: Root
                  type: parallel
                  steps:
                    - name: Branch
                      type: sequential
                      steps:
                        - { name: B1, action: { kind: noop } }
                        - { name: B2, action: { kind: noop } }
                    - { name: X, action: { kind: noop } }
                  """)
              .start()
              .started("B1")
              .started("X")
              .fails("X", "x");
      f.finished("B1", 1, AttemptStatus.CANCELLED, null, "killed");
      assertThat(f.dispatchedSteps()).doesNotContain("B2");
      assertThat(f.stepLines())
          .containsExactly("X=failed", "B1=cancelled", "Branch=cancelled", "Root=failed");
    }
  }

  @Nested
  class Conditions {
    static final String COND =
        """
        name: Root
        type: sequential
        inputs: { enrich: true, level: 3 }
        steps:
          - name: Monitor
            action: { kind: noop }
          - name: Route
            action: { kind: noop }
            condition: "steps['Monitor'].result.errors == 0"
          - name: Enrich
            action: { kind: noop }
            condition: "inputs.enrich == true && inputs.level > 2"
        """;

    @Test
    void shouldRunAStepWhoseConditionHolds() {
      var f = given(COND).start().runs("Monitor", Json.MAPPER.createObjectNode().put("errors", 0));
      assertThat(f.dispatchedSteps()).containsExactly("Monitor", "Route");
    }

    @Test
    void shouldSkipAStepWhoseConditionIsFalseAndGoOn() {
      var f =
          given(COND)
              .start(Map.of("enrich", com.fasterxml.jackson.databind.node.BooleanNode.FALSE))
              .runs("Monitor", Json.MAPPER.createObjectNode().put("errors", 2));
      assertThat(f.dispatchedSteps()).containsExactly("Monitor");
      assertThat(f.stepLines())
          .containsExactly("Monitor=success", "Route=skipped", "Enrich=skipped", "Root=success");
      assertThat(f.events(EventType.STEP_SKIPPED))
          .extracting(WorkflowEvent::step)
          .containsExactly("Route", "Enrich");
      assertThat(f.events(EventType.STEP_START))
          .extracting(WorkflowEvent::step)
          .doesNotContain("Route");
    }

    @Test
    void shouldFailAStepWhoseConditionCannotBeEvaluated() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  steps:
                    - name: A
                      action: { kind: noop }
                      condition: "inputs.missing == 1"
                    - { name: B, action: { kind: noop } }
                  """)
              .start();
      assertThat(f.dispatches()).isEmpty();
      assertThat(f.stepLines()).containsExactly("A=failed", "Root=failed");
      assertThat(f.step("A").error())
          .startsWith("condition: cannot evaluate `inputs.missing == 1`");
      assertThat(f.result().errors()).extracting(ErrorEntry::step).containsExactly("A");
    }

    @Test
    void shouldApplyOnErrorToAConditionThatFails() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  steps:
                    - name: A
                      action: { kind: noop }
                      condition: "steps['B'].status == 'success'"
                      onError: continue
                    - { name: B, action: { kind: noop } }
                  """)
              .start();
      assertThat(f.dispatchedSteps()).containsExactly("B");
      f.runs("B");
      assertThat(f.stepLines()).containsExactly("A=failed", "B=success", "Root=success");
    }

    @Test
    void shouldFailAConditionThatIsNotABool() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  inputs: { x: 3 }
                  steps:
                    - { name: A, action: { kind: noop }, condition: "inputs.x" }
                  """)
              .start();
      assertThat(f.step("A").error()).contains("gave 3, not a bool");
    }

    @Test
    void shouldSkipAGroupAndListNoneOfItsChildren() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  steps:
                    - name: G
                      type: parallel
                      condition: "false"
                      steps:
                        - { name: A, action: { kind: noop } }
                    - { name: B, action: { kind: noop } }
                  """)
              .start()
              .runs("B");
      assertThat(f.stepLines()).containsExactly("G=skipped", "B=success", "Root=success");
    }
  }

  @Nested
  class Templates {
    static final String TPL =
        """
        name: Root
        type: sequential
        inputs: { cooldown: 300, env: prod }
        steps:
          - name: Build
            action: { kind: noop }
          - name: Push
            action:
              kind: shell
              command: 'echo "$IMAGE" "$1"'
              args: ["${{ inputs.env }}-${{ inputs.cooldown }}"]
              env:
                IMAGE: "${{ steps['Build'].result.image }}"
                COOLDOWN: "${{ inputs.cooldown }}"
                META: "${{ steps['Build'].result }}"
        """;

    @Test
    void shouldResolveTemplatesWhenTheStepIsDispatched() {
      var f =
          given(TPL)
              .start()
              .runs("Build", Json.MAPPER.createObjectNode().put("image", "myapp:v1.2.3"));
      Dispatch push = f.dispatchOf("Push");
      assertThat(push.action().get("env").get("IMAGE").asText()).isEqualTo("myapp:v1.2.3");
      assertThat(push.action().get("env").get("COOLDOWN").asText()).isEqualTo("300");
      assertThat(push.action().get("env").get("META").asText())
          .isEqualTo("{\"image\":\"myapp:v1.2.3\"}");
      assertThat(push.action().get("args").get(0).asText()).isEqualTo("prod-300");
      assertThat(push.action().get("command").asText()).isEqualTo("echo \"$IMAGE\" \"$1\"");
    }

    @Test
    void shouldPassHostileInputsAsPlainText() {
      var f =
          given(TPL)
              .start(Map.of("env", TextNode.valueOf("\"; rm -rf $HOME; echo \"")))
              .runs("Build", Json.MAPPER.createObjectNode().put("image", "$(reboot)"));
      Dispatch push = f.dispatchOf("Push");
      assertThat(push.action().get("args").get(0).asText())
          .isEqualTo("\"; rm -rf $HOME; echo \"-300");
      assertThat(push.action().get("env").get("IMAGE").asText()).isEqualTo("$(reboot)");
    }

    @Test
    void shouldFailTheStepWhenATemplateCannotBeEvaluated() {
      var f = given(TPL).start().runs("Build", IntNode.valueOf(3));
      assertThat(f.dispatchedSteps()).containsExactly("Build");
      assertThat(f.step("Push").status()).isEqualTo(StepStatus.FAILED);
      assertThat(f.step("Push").error()).startsWith("template: cannot evaluate");
      assertThat(f.result().errors()).extracting(ErrorEntry::step).containsExactly("Push");
    }
  }

  @Nested
  class Retries {
    static final String FLAKY =
        """
        name: Root
        type: sequential
        steps:
          - name: Flaky
            action: { kind: noop }
            retries: 3
            timeout: 10s
        """;

    @Test
    void shouldTellTheAgentHowManyAttemptsAndWhichBackoff() {
      Dispatch d = given(FLAKY).start().dispatchOf("Flaky");
      assertThat(d.attempt()).isEqualTo(1);
      assertThat(d.maxAttempts()).isEqualTo(4);
      assertThat(d.timeoutMs()).isEqualTo(10_000);
      assertThat(d.backoff()).isEqualTo(new Dispatch.Backoff(1000, 2.0, 30_000, 0.0));
    }

    @Test
    void shouldAnnounceEachRetryAndCountTheRetriesUsed() {
      var f =
          given(FLAKY)
              .start()
              .started("Flaky")
              .retrying("Flaky", 1, "exit 1", 1000)
              .started("Flaky", 2, "agent-a")
              .retrying("Flaky", 2, "exit 1", 2000)
              .started("Flaky", 3, "agent-a")
              .finished("Flaky", 3, AttemptStatus.SUCCESS, IntNode.valueOf(7), null);
      assertThat(f.events(EventType.STEP_RETRY))
          .extracting(WorkflowEvent::attempt, WorkflowEvent::delay)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1, 1000L),
              org.assertj.core.groups.Tuple.tuple(2, 2000L));
      assertThat(f.step("Flaky").retries()).isEqualTo(2);
      assertThat(f.step("Flaky").result()).isEqualTo(IntNode.valueOf(7));
      assertThat(f.step("Flaky").attempts())
          .extracting(a -> a.status())
          .containsExactly(AttemptStatus.FAILED, AttemptStatus.FAILED, AttemptStatus.SUCCESS);
      assertThat(f.result().errors()).isEmpty();
    }

    @Test
    void shouldRejectAnAttemptBeyondTheStepsRetries() {
      var f =
          given(FLAKY)
              .start()
              .started("Flaky")
              .finished("Flaky", 5, AttemptStatus.SUCCESS, IntNode.valueOf(1), null);
      assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
      assertThat(f.published()).as("attempt 5 of 4 ended nothing").isEmpty();
      assertThat(f.snapshot().steps())
          .extracting(StepResult::name, StepResult::status)
          .contains(org.assertj.core.groups.Tuple.tuple("Flaky", StepStatus.RUNNING));
    }

    @Test
    void shouldSetTimeoutStatusWhenTheLastAttemptTimedOut() {
      var f =
          given(FLAKY)
              .start()
              .started("Flaky")
              .finished("Flaky", 4, AttemptStatus.TIMEOUT, null, "timed out after 10s");
      assertThat(f.step("Flaky").status()).isEqualTo(StepStatus.TIMEOUT);
      assertThat(f.step("Root").status()).isEqualTo(StepStatus.FAILED);
      assertThat(f.step("Root").error()).isEqualTo("step \"Flaky\" timed out: timed out after 10s");
      assertThat(f.events(EventType.STEP_TIMEOUT)).hasSize(1);
      assertThat(f.result().errors())
          .extracting(ErrorEntry::path)
          .containsExactly("Root.sequential[0]");
    }
  }

  @Nested
  class GroupRetry {
    static final String RETRY =
        """
        name: Root
        type: sequential
        steps:
          - name: Deploy
            type: sequential
            onError: retry
            retries: 2
            backoff: { initial: 5s }
            steps:
              - { name: Push, action: { kind: noop } }
              - { name: Verify, action: { kind: noop } }
        """;

    @Test
    void shouldRunTheWholeGroupAgainAfterItsBackoff() {
      var f = given(RETRY).start().runs("Push").started("Verify").fails("Verify", "bad");
      assertThat(f.events(EventType.STEP_RETRY))
          .extracting(WorkflowEvent::step, WorkflowEvent::delay)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("Deploy", 5000L));
      assertThat(f.dispatchedSteps()).containsExactly("Push", "Verify");
      f.elapse(4_999);
      assertThat(f.dispatchedSteps()).containsExactly("Push", "Verify");
      f.elapse(1);
      assertThat(f.dispatchedSteps()).containsExactly("Push", "Verify", "Push");
      f.runs("Push").runs("Verify");
      assertThat(f.stepLines())
          .containsExactly("Push=success", "Verify=success", "Deploy=success", "Root=success");
      assertThat(f.result().errors()).as("earlier group attempts add no error").isEmpty();
      assertThat(f.step("Deploy").attempts()).hasSize(1);
      assertThat(f.step("Deploy").attempts().get(0).error())
          .isEqualTo("step \"Verify\" failed: bad");
      assertThat(f.step("Deploy").retries()).isEqualTo(1);
    }

    @Test
    void shouldGiveANewIdempotencyKeyWhenTheGroupRunsAgain() {
      var f = given(RETRY).start().started("Push").fails("Push", "x").elapse(5000);
      var pushes = f.dispatches().stream().filter(d -> d.step().equals("Push")).toList();
      assertThat(pushes).hasSize(2);
      assertThat(pushes.get(0).idempotencyKey()).isNotEqualTo(pushes.get(1).idempotencyKey());
    }

    @Test
    void shouldFailAfterTheLastGroupAttempt() {
      var f = given(RETRY).start();
      for (int i = 0; i < 3; i++) {
        f.started("Push").fails("Push", "no " + i).elapse(60_000);
      }
      assertThat(f.stepLines()).containsExactly("Push=failed", "Deploy=failed", "Root=failed");
      assertThat(f.result().errors())
          .containsExactly(new ErrorEntry("Root.sequential[0].sequential[0]", "Push", "no 2"));
      assertThat(f.step("Deploy").attempts()).hasSize(2);
    }

    @Test
    void shouldIgnoreReportsFromAnEarlierRunOfTheGroup() {
      var f = given(RETRY).start().started("Push");
      Dispatch old = f.dispatchOf("Push");
      f.fails("Push", "x").elapse(5000);
      f.apply(
          new Input.Report(
              new StepReport.Finished(
                  MachineFixture.RUN,
                  old.dispatchId(),
                  1,
                  "agent-a",
                  f.now(),
                  AttemptStatus.SUCCESS,
                  null,
                  null)));
      assertThat(f.lastRejection()).isPresent();
      assertThat(f.dispatchedSteps()).containsExactly("Push", "Push");
    }
  }

  @Nested
  class Cancellation {
    @Test
    void shouldCancelRunningStepsAndEndTheRunCancelled() {
      var f = given(PAR).start().started("A").runs("B").cancelRun();
      assertThat(f.cancels()).extracting(Command.CancelAttempt::agent).containsExactly("agent-a");
      f.finished("A", 1, AttemptStatus.CANCELLED, null, "killed");
      assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(f.result().success()).isFalse();
      assertThat(f.stepLines())
          .containsExactly("B=success", "C=cancelled", "A=cancelled", "Root=cancelled");
      var lines = f.eventLines();
      assertThat(lines.subList(lines.size() - 2, lines.size()))
          .containsExactly("workflow:cancelled Root", "workflow:complete Root");
      assertThat(f.result().errors()).isEmpty();
    }

    @Test
    void shouldDispatchNothingAfterACancel() {
      var f = given(SEQ).start().started("A").cancelRun().succeeds("A");
      assertThat(f.dispatchedSteps()).containsExactly("A");
      assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
    }

    @Test
    void shouldCancelTheAgentThatStartsAStepAfterTheRunEnded() {
      var f = given(SEQ).start().cancelRun();
      assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
      f.started("A");
      assertThat(f.cancels()).hasSize(1);
      assertThat(f.lastRejection()).contains(Rejection.Type.ENDED);
    }

    @Test
    void shouldCancelAGroupWaitingToRunAgain() {
      var f = given(GroupRetry.RETRY).start().started("Push").fails("Push", "x").cancelRun();
      assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(f.timers()).isEmpty();
    }

    @Test
    void shouldNotReportSuccessWhenACancelledRunsRootForgivesAFailure() {
      var f =
          given(
                  """
                  name: Root
                  type: parallel
                  failFast: false
                  onError: continue
                  steps:
                    - { name: A, action: { kind: noop } }
                    - { name: B, action: { kind: noop } }
                  """)
              .start()
              .started("A")
              .fails("A", "exit 1")
              .cancelRun();
      assertThat(f.stepLines()).containsExactly("A=failed", "B=cancelled", "Root=failed");
      assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
      assertThat(f.result().success()).isFalse();
      var lines = f.eventLines();
      assertThat(lines.subList(lines.size() - 2, lines.size()))
          .containsExactly("workflow:cancelled Root", "workflow:complete Root");
      assertThat(f.result().errors()).extracting(ErrorEntry::step).containsExactly("A");
    }
  }

  @Nested
  class LostAttempts {
    static final String ONE =
        """
        name: Root
        type: sequential
        steps:
          - { name: A, action: { kind: noop }, retries: 1, timeout: 10s }
        """;

    @Test
    void shouldDispatchALostAttemptAgainWithoutUsingARetry() {
      var f = given(ONE).start().started("A", 1, "agent-a");
      String first = f.dispatchOf("A").dispatchId();
      f.apply(new Input.AttemptLost(first, "agent-a stopped heartbeating"));
      Dispatch again = f.dispatchOf("A");
      assertThat(again.dispatchId()).isNotEqualTo(first);
      assertThat(again.attempt()).isEqualTo(1);
      assertThat(again.maxAttempts()).isEqualTo(2);
      assertThat(f.events(EventType.STEP_LOST)).hasSize(1);
      f.started("A", 1, "agent-b").succeeds("A");
      assertThat(f.step("A").agent()).isEqualTo("agent-b");
      assertThat(f.step("A").attempts())
          .extracting(a -> a.status())
          .containsExactly(AttemptStatus.LOST, AttemptStatus.SUCCESS);
      assertThat(f.step("A").retries()).isZero();
    }

    @Test
    void shouldTakeTheEndOfAnAttemptOnlyFromTheAgentThatStartedIt() {
      var f = given(ONE).start().started("A", 1, "agent-a");
      String id = f.dispatchOf("A").dispatchId();
      var forged =
          new StepReport.Finished(
              MachineFixture.RUN, id, 1, "agent-b", 0, AttemptStatus.FAILED, null, "forged");
      f.apply(new Input.Report(forged));
      assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
      var handBack = new StepReport.Returned(MachineFixture.RUN, id, 1, "agent-b", 0, "forged");
      f.apply(new Input.Report(handBack));
      assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
      var secondStart = new StepReport.Started(MachineFixture.RUN, id, 1, "agent-b", 0);
      f.apply(new Input.Report(secondStart));
      assertThat(f.commands())
          .as("the second agent is told to stop what it started")
          .anySatisfy(
              c ->
                  assertThat(c)
                      .isEqualTo(
                          new Command.CancelAttempt(
                              "agent-b",
                              MachineFixture.RUN,
                              id,
                              "the attempt is held by agent-a")));
      f.succeeds("A");
      assertThat(f.step("A").status()).isEqualTo(StepStatus.SUCCESS);
      assertThat(f.step("A").agent()).isEqualTo("agent-a");
      assertThat(f.events(EventType.STEP_LOST)).isEmpty();
    }

    @Test
    void shouldFailAfterTooManyLosses() {
      var f =
          given(
                  ONE,
                  new MachineConfig(
                      2, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(10)))
              .start();
      for (int i = 0; i < 3; i++) {
        f.started("A").apply(new Input.AttemptLost(f.dispatchOf("A").dispatchId(), "gone"));
      }
      assertThat(f.step("A").status()).isEqualTo(StepStatus.FAILED);
      assertThat(f.step("A").error()).startsWith("lost 3 times");
      assertThat(f.dispatches()).hasSize(3);
    }

    @Test
    void shouldDeclareTheAttemptLostWhenItsAgentGoesSilent() {
      var f = given(ONE).start().started("A").elapse(10_000 + 60_000);
      assertThat(f.events(EventType.STEP_LOST)).hasSize(1);
      assertThat(f.dispatches()).hasSize(2);
    }

    @Test
    void shouldIgnoreALateResultFromASupersededAttempt() {
      var f = given(ONE).start().started("A");
      String first = f.dispatchOf("A").dispatchId();
      f.apply(new Input.AttemptLost(first, "gone"));
      f.apply(
          new Input.Report(
              new StepReport.Finished(
                  MachineFixture.RUN,
                  first,
                  1,
                  "agent-a",
                  f.now(),
                  AttemptStatus.SUCCESS,
                  null,
                  null)));
      assertThat(f.lastRejection()).contains(Rejection.Type.STALE);
      assertThat(f.published()).isEmpty();
    }

    @Test
    void shouldFailAStepHandedBackAgainAndAgainInsteadOfBouncingItForever() {
      var f = given(ONE).start();
      for (int i = 0; i < 11; i++) {
        f.started("A");
        f.apply(
            new Input.Report(
                new StepReport.Returned(
                    MachineFixture.RUN,
                    f.dispatchOf("A").dispatchId(),
                    1,
                    "agent-a",
                    f.now(),
                    "stopping")));
      }
      assertThat(f.dispatches()).as("handed back 10 times: dispatched again each time").hasSize(11);
      assertThat(f.step("A").status()).isEqualTo(StepStatus.FAILED);
      assertThat(f.step("A").error())
          .startsWith("handed back 11 times, more than the 10 allowed; last: agent-a handed");
    }

    @Test
    void shouldRedispatchAtOnceWhatAStoppingAgentHandsBack() {
      var f = given(ONE).start().started("A");
      String first = f.dispatchOf("A").dispatchId();
      f.apply(
          new Input.Report(
              new StepReport.Returned(
                  MachineFixture.RUN, first, 1, "agent-a", f.now(), "stopping")));
      assertThat(f.dispatches()).hasSize(2);
    }
  }

  @Nested
  class StartTimeout {
    @Test
    void shouldFailAStepNoAgentStartsNamingItsPool() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  steps:
                    - { name: A, agent: { pool: gpu }, startTimeout: 30s, action: { kind: noop } }
                  """)
              .start()
              .elapse(30_000);
      assertThat(f.step("A").error())
          .isEqualTo("no agent of pool \"gpu\" started the step within 30s");
      assertThat(f.dispatchOf("A").pool()).isEqualTo("gpu");
    }
  }

  @Nested
  class Timers {
    @Test
    void shouldLeaveNoTimerBehindWhenTheRunEnds() {
      var f = given(PAR).start().runs("A").runs("B").runs("C");
      assertThat(f.timers()).isEmpty();
    }

    @Test
    void shouldIgnoreInputsAfterTheRunEnded() {
      var f = given(SEQ).start().runs("A").runs("B").runs("C");
      f.apply(new Input.CancelRun("late"));
      assertThat(f.lastRejection()).contains(Rejection.Type.ENDED);
    }

    @Test
    void shouldRefuseASecondStartOfTheSameRun() {
      var f = given(SEQ).start().start();
      assertThat(f.lastRejection()).contains(Rejection.Type.DUPLICATE);
      assertThat(f.dispatches()).hasSize(1);
    }
  }

  @Nested
  class RootOutcome {
    @Test
    void shouldSucceedWhenTheRootFailsUnderItsOwnContinue() {
      var f =
          given(
                  """
                  name: Root
                  type: sequential
                  onError: continue
                  steps:
                    - { name: A, action: { kind: noop } }
                  """)
              .start()
              .started("A")
              .fails("A", "x");
      assertThat(f.result().success()).isTrue();
      assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
      assertThat(f.step("Root").status()).isEqualTo(StepStatus.FAILED);
      assertThat(f.result().errors()).hasSize(1);
    }

    @Test
    void shouldRunAWorkflowThatIsASingleLeaf() {
      var f = given("{ name: Solo, action: { kind: noop } }").start();
      assertThat(f.dispatchOf("Solo").path()).isEqualTo("Solo");
      f.runs("Solo");
      assertThat(f.stepLines()).containsExactly("Solo=success");
    }

    @Test
    void shouldShowStepsInFlightInASnapshot() {
      var f = given(PAR).start().started("A");
      var snap = f.snapshot();
      assertThat(snap.status()).isEqualTo(RunStatus.RUNNING);
      assertThat(snap.steps())
          .extracting(s -> s.name() + "=" + s.status().word())
          .contains("A=running", "B=waiting", "C=waiting", "Root=running");
    }
  }
}
