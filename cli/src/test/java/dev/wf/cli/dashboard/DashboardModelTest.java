package dev.wf.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fold the dashboard shows: events, results and heartbeats in, runs, steps and agents out. */
class DashboardModelTest {
  private static final String ROOT = "Deploy";
  private static final String BUILD = "Deploy.sequential[0]";
  private static final String TEST = "Deploy.sequential[1]";
  private static final String TEST_A = "Deploy.sequential[1].parallel[0]";

  private final DashboardModel model = new DashboardModel(100);
  private long clock = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();

  private void event(EventType type, String runId, String path, String name, Object... fields) {
    WorkflowEvent.Builder b = WorkflowEvent.of(type, runId);
    if (path != null) {
      b.step(path, name);
    }
    Map<?, ?> f = Map.of();
    if (fields.length > 0) {
      f = Map.of(fields[0], fields[1]);
    }
    if (f.containsKey("error")) {
      b.error((String) f.get("error"));
    }
    if (f.containsKey("result")) {
      b.result(Json.MAPPER.valueToTree(f.get("result")));
    }
    if (f.containsKey("agent")) {
      b.agent((String) f.get("agent"));
    }
    if (f.containsKey("message")) {
      b.message((String) f.get("message"));
    }
    clock += 1_000;
    model.apply(b.duration(500).attempt(1).at(Instant.ofEpochMilli(clock).toString()), clock);
  }

  private void started(String runId) {
    event(EventType.WORKFLOW_START, runId, ROOT, ROOT);
    event(EventType.STEP_START, runId, ROOT, ROOT);
  }

  @Test
  void shouldBuildTheTreeOfARunFromThePathsInItsEvents() {
    started("r1");
    event(EventType.STEP_START, "r1", BUILD, "Build");
    event(EventType.STEP_START, "r1", TEST, "Test");
    event(EventType.STEP_START, "r1", TEST_A, "Unit");

    RunView run = model.run("r1");
    assertThat(run.name).isEqualTo(ROOT);
    assertThat(run.steps.get(ROOT).parent).isNull();
    assertThat(run.steps.get(BUILD).parent).isEqualTo(ROOT);
    assertThat(run.steps.get(TEST).index).isEqualTo(1);
    assertThat(run.steps.get(TEST_A).parent).isEqualTo(TEST);
    assertThat(run.steps.get(TEST_A).status).isEqualTo("running");
  }

  @Test
  void shouldShowEachStepsOutcomeWithItsAgentErrorAndOutputTail() {
    started("r1");
    event(EventType.STEP_START, "r1", BUILD, "Build");
    event(
        EventType.STEP_COMPLETE,
        "r1",
        BUILD,
        "Build",
        "result",
        Map.of("exitCode", 0, "output", "built ok\n"));
    event(EventType.STEP_START, "r1", TEST, "Test");
    event(EventType.STEP_FAILED, "r1", TEST, "Test", "error", "exit 1: 3 tests failed");

    StepView build = model.run("r1").steps.get(BUILD);
    assertThat(build.status).isEqualTo("success");
    assertThat(build.output).isEqualTo("built ok\n");
    assertThat(build.duration).isEqualTo(500);
    StepView test = model.run("r1").steps.get(TEST);
    assertThat(test.status).isEqualTo("failed");
    assertThat(test.error).isEqualTo("exit 1: 3 tests failed");
    assertThat(model.run("r1").summary().get("counts").get("failed").asInt()).isEqualTo(1);
  }

  @Test
  void shouldKeepOnlyATailOfAHugeOutput() {
    started("r1");
    String huge = "x".repeat(100_000) + "THE END";
    event(EventType.STEP_COMPLETE, "r1", BUILD, "Build", "result", Map.of("output", huge));

    StepView build = model.run("r1").steps.get(BUILD);
    assertThat(build.output).endsWith("THE END").hasSizeLessThanOrEqualTo(Text.TAIL + 1);
    assertThat(build.result).hasSizeLessThanOrEqualTo(Text.TAIL + 1);
  }

  @Test
  void shouldListAnApprovalAsWaitingUntilItIsAnswered() {
    started("r1");
    event(EventType.STEP_START, "r1", BUILD, "Approve");
    event(EventType.STEP_APPROVAL, "r1", BUILD, "Approve", "message", "Ship v2?");

    assertThat(model.run("r1").steps.get(BUILD).status).isEqualTo("waiting");
    assertThat(model.run("r1").summary().get("approvals").asInt()).isEqualTo(1);

    event(EventType.STEP_COMPLETE, "r1", BUILD, "Approve");
    assertThat(model.run("r1").summary().get("approvals").asInt()).isZero();
  }

  @Test
  void shouldTakeTheRunsOutcomeAndTheAttemptsFromItsResult() {
    started("r1");
    event(EventType.STEP_START, "r1", BUILD, "Build");
    StepResult build =
        new StepResult(
            "Build",
            BUILD,
            StepStatus.TIMEOUT,
            900,
            null,
            "timed out after 1s",
            1,
            "agent-2",
            List.of(
                new Attempt(1, AttemptStatus.FAILED, "agent-1", clock, 100L, "exit 1"),
                new Attempt(2, AttemptStatus.TIMEOUT, "agent-2", clock, 800L, "timed out")),
            null,
            null);
    model.applyResult(
        new WorkflowResult(
            "r1",
            ROOT,
            false,
            RunStatus.FAILED,
            2_000,
            List.of(build),
            List.of(new ErrorEntry(BUILD, "Build", "timed out after 1s")),
            null),
        clock);

    RunView run = model.run("r1");
    assertThat(run.status).isEqualTo("failed");
    assertThat(run.errors).isEqualTo(1);
    StepView s = run.steps.get(BUILD);
    assertThat(s.status).isEqualTo("timeout");
    assertThat(s.agent).isEqualTo("agent-2");
    assertThat(s.attempts)
        .extracting(StepView.AttemptView::agent)
        .containsExactly("agent-1", "agent-2");
  }

  @Test
  void shouldNameTheAgentOfARunningStepFromItsHeartbeatAndCountAttemptsLostWithIt() {
    started("r1");
    event(EventType.STEP_START, "r1", BUILD, "Build");
    model.applyHeartbeat(
        "agent-1",
        new AgentHeartbeat(
            "agent-1",
            "host-1",
            List.of("default"),
            4,
            List.of(new AgentHeartbeat.Running("r1", "d1", BUILD, 1)),
            clock,
            clock,
            500,
            false));
    assertThat(model.run("r1").steps.get(BUILD).agent).isEqualTo("agent-1");

    event(EventType.STEP_LOST, "r1", BUILD, "Build", "agent", "agent-1");
    model.applyHeartbeat("agent-1", null);

    assertThat(model.run("r1").steps.get(BUILD).lost).isEqualTo(1);
    AgentView agent = model.agents().iterator().next();
    assertThat(agent.lost).isEqualTo(1);
    assertThat(agent.gone).isTrue();
  }

  @Test
  void shouldKeepOnlyTheNewestRunsAndSaySoInTheChanges() {
    DashboardModel small = new DashboardModel(3);
    for (int i = 1; i <= 5; i++) {
      small.apply(
          WorkflowEvent.of(EventType.WORKFLOW_START, "r" + i)
              .step(ROOT, ROOT)
              .at(Instant.ofEpochMilli(clock + i).toString()),
          clock + i);
    }

    assertThat(small.runs()).extracting(r -> r.runId).containsExactly("r3", "r4", "r5");
    DashboardModel.Changes c = small.drain();
    assertThat(c.evicted()).containsExactly("r1", "r2");
    assertThat(c.runs()).containsExactly("r3", "r4", "r5");
  }

  @Test
  void shouldReportOnlyWhatChangedSinceTheLastDrain() {
    started("r1");
    started("r2");
    event(EventType.STEP_START, "r1", BUILD, "Build");
    model.drain();

    event(EventType.STEP_COMPLETE, "r2", BUILD, "Build");

    DashboardModel.Changes c = model.drain();
    assertThat(c.runs()).containsExactly("r2");
    assertThat(c.steps()).containsOnlyKeys("r2");
    assertThat(c.steps().get("r2")).containsExactly(BUILD);
    assertThat(model.drain().isEmpty()).isTrue();
  }

  @Test
  void shouldListARejectedSubmissionWithItsReason() {
    model.apply(
        WorkflowEvent.of(EventType.WORKFLOW_REJECTED, "bad-1")
            .reason("steps[0].timeout: \"10 parsecs\" is not a duration")
            .at(Instant.ofEpochMilli(clock).toString()),
        clock);

    assertThat(model.run("bad-1").status).isEqualTo("rejected");
    assertThat(model.run("bad-1").reason).contains("parsecs");
  }
}
