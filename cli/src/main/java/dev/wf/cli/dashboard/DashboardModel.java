package dev.wf.cli.dashboard;

import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the dashboard knows, folded from the events, results and agents topics alone (as another
 * team's dashboard would): runs, their steps, agents. Remembers what changed since the last {@link
 * #drain()} so that the page gets small deltas. Not thread-safe: its owner locks around it.
 *
 * <p>Memory is bounded: the newest {@code maxRuns} runs are kept (the first seen goes first), and
 * every text a step keeps is a capped tail.
 */
final class DashboardModel {
  /** Agents kept (live or gone); far above any real fleet. */
  static final int MAX_AGENTS = 2_000;

  private final int maxRuns;
  private final Map<String, RunView> runs = new LinkedHashMap<>();
  private final Map<String, AgentView> agents = new TreeMap<>();
  private Set<String> changedRuns = new LinkedHashSet<>();
  private Map<String, Set<String>> changedSteps = new LinkedHashMap<>();
  private Set<String> evicted = new LinkedHashSet<>();
  private boolean agentsChanged;

  DashboardModel(int maxRuns) {
    if (maxRuns < 1) {
      throw new IllegalArgumentException("maxRuns must be at least 1, got " + maxRuns);
    }
    this.maxRuns = maxRuns;
  }

  /** What changed since the last drain: run rows, step rows by run, runs dropped, agents. */
  record Changes(
      Set<String> runs, Map<String, Set<String>> steps, Set<String> evicted, boolean agents) {
    boolean isEmpty() {
      return runs.isEmpty() && steps.isEmpty() && evicted.isEmpty() && !agents;
    }
  }

  Changes drain() {
    Changes c = new Changes(changedRuns, changedSteps, evicted, agentsChanged);
    changedRuns = new LinkedHashSet<>();
    changedSteps = new LinkedHashMap<>();
    evicted = new LinkedHashSet<>();
    agentsChanged = false;
    return c;
  }

  RunView run(String runId) {
    return runs.get(runId);
  }

  Collection<RunView> runs() {
    return runs.values();
  }

  Collection<AgentView> agents() {
    return agents.values();
  }

  /**
   * Folds one event of the events topic; {@code recordTime} (the record's timestamp) stands in for
   * an event that carries no time.
   */
  void apply(WorkflowEvent e, long recordTime) {
    long at = millis(e.at(), recordTime);
    switch (e.type()) {
      case WORKFLOW_START -> {
        RunView r = runOrNew(e.runId());
        r.name = e.step();
        r.startedAt = at;
        StepView root = step(r, e);
        root.startedAt = at;
      }
      case STEP_START -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.status = "running";
        s.startedAt = at;
        s.endedAt = -1;
        s.duration = -1;
        s.waitingFor = null;
        // a group that runs again starts its children afresh: what they said before is gone
        s.error = null;
        s.result = null;
        s.output = null;
        s.attempt = e.attempt() == null ? 1 : e.attempt();
      }
      case STEP_QUEUED -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.status = "waiting";
        s.waitingFor = e.reason();
        if (s.startedAt < 0) {
          s.startedAt = at;
        }
      }
      case STEP_APPROVAL -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.status = "waiting";
        s.approval = e.message() == null ? "" : e.message();
        s.waitingFor = "approval";
      }
      case STEP_RETRY -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.retries++;
        int n = e.attempt() == null ? s.attempt : e.attempt();
        s.addAttempt(
            new StepView.AttemptView(n, "failed", e.agent(), at, Text.tail(e.error(), Text.LINE)));
        s.attempt = n + 1;
        s.error = Text.tail(e.error(), Text.TAIL);
      }
      case STEP_LOST -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.lost++;
        s.addAttempt(
            new StepView.AttemptView(
                e.attempt() == null ? s.attempt : e.attempt(),
                "lost",
                e.agent(),
                at,
                Text.tail(e.error(), Text.LINE)));
        if (e.agent() != null) {
          agentOrNew(e.agent()).lost++;
          agentsChanged = true;
        }
      }
      case STEP_COMPLETE, STEP_FAILED, STEP_SKIPPED, STEP_TIMEOUT, STEP_CANCELLED -> {
        StepView s = step(runOrNew(e.runId()), e);
        s.status =
            e.type().wire().equals("step:complete") ? "success" : e.type().wire().substring(5);
        s.endedAt = at;
        s.duration = e.duration() == null ? 0 : e.duration();
        if (s.startedAt < 0) {
          s.startedAt = at - s.duration;
        }
        if (e.agent() != null) {
          s.agent = e.agent();
        }
        if (e.attempt() != null) {
          s.attempt = e.attempt();
        }
        s.waitingFor = null;
        if (e.error() != null) {
          s.error = Text.tail(e.error(), Text.TAIL);
        }
        s.result(e.result());
      }
      case WORKFLOW_FAILED, WORKFLOW_CANCELLED -> {
        RunView r = runOrNew(e.runId());
        r.reason = e.reason() != null ? e.reason() : e.error();
      }
      case WORKFLOW_COMPLETE -> {
        WorkflowResult result = WorkflowResultReader.read(e.result());
        if (result != null) {
          applyResult(result, at);
        }
        RunView r = runOrNew(e.runId());
        r.endedAt = at;
      }
      case WORKFLOW_REJECTED -> {
        // a refused submission never started: it is listed so that its sender sees why
        RunView r = runs.get(e.runId());
        if (r == null) {
          r = runOrNew(e.runId());
          r.status = "rejected";
          r.startedAt = at;
          r.endedAt = at;
          r.reason = e.reason();
        }
      }
      default -> {
        // workflow:duplicate, dispatch:refused and signal:refused change no run or step
      }
    }
  }

  /**
   * Folds a run's published result (the results topic, or its workflow:complete), published at
   * {@code endedAt}.
   */
  void applyResult(WorkflowResult result, long endedAt) {
    RunView r = runOrNew(result.runId());
    if (result.name() != null) {
      r.name = result.name();
    }
    r.status = result.status().word();
    r.duration = result.duration();
    r.errors = result.errors().size();
    if (r.endedAt < 0) {
      r.endedAt = endedAt;
    }
    if (r.startedAt < 0) {
      r.startedAt = r.endedAt - result.duration();
    }
    if (r.reason == null && !result.errors().isEmpty()) {
      r.reason = result.errors().get(0).message();
    }
    for (StepResult sr : result.steps()) {
      StepView s = r.step(sr.path(), sr.name());
      s.settle(sr);
      if (s.endedAt < 0) {
        s.endedAt = r.endedAt;
      }
      if (s.startedAt < 0) {
        s.startedAt = s.endedAt - Math.max(0, s.duration);
      }
      stepChanged(r, s);
    }
    changedRuns.add(r.runId);
  }

  /** Folds an agent's heartbeat ({@code null}: the agent said it is gone). */
  void applyHeartbeat(String agentId, AgentHeartbeat hb) {
    if (agentId == null) {
      return;
    }
    AgentView a = agentOrNew(agentId);
    agentsChanged = true;
    if (hb == null) {
      a.gone = true;
      return;
    }
    a.last = hb;
    a.gone = false;
    // what an agent runs is only said by its heartbeats: they name the agent of a running step
    for (AgentHeartbeat.Running running : hb.running()) {
      RunView r = runs.get(running.runId());
      StepView s = r == null ? null : r.steps.get(running.path());
      if (s != null && !s.ended() && !agentId.equals(s.agent)) {
        s.agent = agentId;
        stepChanged(r, s);
      }
    }
  }

  private StepView step(RunView r, WorkflowEvent e) {
    StepView s = r.step(e.path() == null ? r.runId : e.path(), e.step());
    stepChanged(r, s);
    return s;
  }

  private void stepChanged(RunView r, StepView s) {
    changedRuns.add(r.runId);
    changedSteps.computeIfAbsent(r.runId, k -> new LinkedHashSet<>()).add(s.path);
  }

  private RunView runOrNew(String runId) {
    RunView r = runs.get(runId);
    if (r == null) {
      r = new RunView(runId);
      runs.put(runId, r);
      evictOverCap();
    }
    changedRuns.add(runId);
    return r;
  }

  private void evictOverCap() {
    Iterator<RunView> it = runs.values().iterator();
    while (runs.size() > maxRuns && it.hasNext()) {
      String gone = it.next().runId;
      it.remove();
      changedRuns.remove(gone);
      changedSteps.remove(gone);
      evicted.add(gone);
    }
  }

  private AgentView agentOrNew(String id) {
    AgentView a = agents.get(id);
    if (a == null) {
      if (agents.size() >= MAX_AGENTS) {
        dropOneGoneAgent();
      }
      a = new AgentView(id);
      agents.put(id, a);
    }
    return a;
  }

  private void dropOneGoneAgent() {
    Set<String> gone = new HashSet<>();
    agents.values().stream().filter(a -> a.gone).findFirst().ifPresent(a -> gone.add(a.id));
    if (gone.isEmpty()) {
      gone.add(agents.keySet().iterator().next());
    }
    agents.keySet().removeAll(gone);
  }

  private static long millis(String at, long fallback) {
    if (at == null) {
      return fallback;
    }
    try {
      return Instant.parse(at).toEpochMilli();
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }
}
