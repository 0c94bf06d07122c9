package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.ActionJson;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.definition.Leaf;
import dev.wf.protocol.definition.RetryPolicy;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.expr.EvaluationException;
import dev.wf.protocol.expr.Template;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.StepStatus;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a leaf does within a turn: it is dispatched to its pool, an agent reports on it, it is lost
 * with its agent and dispatched again, its timers fire, and it is cancelled. The agent runs the
 * attempts and their retries; the machine follows them from the reports.
 */
final class Leaves {
  /** How many hand-backs a step takes at least before it fails (stopping agents hand back). */
  static final int HAND_BACKS = 10;

  private final Turn t;

  /** The largest rendered action a dispatch carries: well within one Kafka record. */
  static final int MAX_ACTION_BYTES = 512 * 1024;

  Leaves(Turn t) {
    this.t = t;
  }

  /** A leaf starts: its deadline runs from now, across its attempts and re-dispatches. */
  void start(Plan.Node node, StepState s) {
    node.leaf()
        .deadline()
        .ifPresent(
            d ->
                t.command(
                    new Command.SetTimer(Timers.deadline(node.path()), t.now + d.toMillis())));
    if (node.leaf().action() instanceof Action.Approval approval) {
      Approvals.await(t, node, s, approval);
    } else {
      dispatch(node, s, 1);
    }
  }

  void dispatch(Plan.Node node, StepState s, int attempt) {
    Leaf leaf = node.leaf();
    JsonNode action;
    try {
      Map<String, Object> vars = node.templates().isEmpty() ? Map.of() : t.vars(node);
      action = ActionJson.write(leaf.action(), v -> render(node, v, vars));
    } catch (EvaluationException e) {
      t.end(node, s, StepStatus.FAILED, "template: " + e.getMessage(), true);
      return;
    }
    int size = Json.write(action).length;
    if (size > MAX_ACTION_BYTES) {
      t.end(
          node,
          s,
          StepStatus.FAILED,
          "the rendered action is "
              + size
              + " bytes, more than the "
              + MAX_ACTION_BYTES
              + " a dispatch may carry",
          true);
      return;
    }
    RunInfo run = t.run();
    String dispatchId = ++run.nextDispatch + ":" + node.path();
    s.dispatched(dispatchId, attempt, leaf.pool());
    RetryPolicy p = leaf.retryPolicy();
    Dispatch d =
        new Dispatch(
            run.runId,
            dispatchId,
            node.path(),
            node.name(),
            leaf.pool(),
            action,
            leaf.timeout().toMillis(),
            attempt,
            leaf.retries() + 1,
            new Dispatch.Backoff(
                p.initial().toMillis(), p.multiplier(), p.max().toMillis(), p.jitter()),
            idempotencyKey(node),
            t.now,
            leaf.nonRetryable().isEmpty() ? null : leaf.nonRetryable(),
            leaf.deadline().map(limit -> s.startedAt + limit.toMillis()).orElse(null),
            t.now + startTimeout(leaf).toMillis());
    t.command(new Command.DispatchStep(d));
    t.command(
        new Command.SetTimer(Timers.start(dispatchId), t.now + startTimeout(leaf).toMillis()));
  }

  private Duration startTimeout(Leaf leaf) {
    return leaf.startTimeout().orElse(t.config.startTimeout());
  }

  static String render(Plan.Node node, String value, Map<String, Object> vars) {
    Template template = node.templates().get(value);
    return template == null ? value : template.render(vars);
  }

  /** Stable across the attempts of one step; new when an enclosing group runs again. */
  private String idempotencyKey(Plan.Node node) {
    StringBuilder iterations = new StringBuilder();
    boolean rerun = false;
    for (Plan.Node p = node.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
      StepState ps = t.store.step(p.path());
      int it = ps == null ? 1 : ps.iteration;
      rerun |= it > 1;
      iterations.insert(0, "." + it);
    }
    return t.run().runId + ":" + node.path() + (rerun ? "#" + iterations.substring(1) : "");
  }

  // ---- agent reports ------------------------------------------------------------------------

  Optional<Rejection> report(StepReport report) {
    String path = RunMachine.pathOf(report.dispatchId());
    Plan.Node node = t.plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
    StepState s = node == null ? null : t.store.step(path);
    boolean current = s != null && !s.ended() && report.dispatchId().equals(s.dispatchId);
    if (report instanceof StepReport.Refused refused) {
      t.emit(
          WorkflowEvent.of(EventType.DISPATCH_REFUSED, t.run().runId)
              .step(path, node == null ? null : node.name())
              .agent(refused.agent())
              .reason(refused.reason()));
      if (!refused.fromAVerifiedDispatch()) {
        // Anyone who can write the dispatch topic can make an agent refuse a record naming this
        // step: a refusal of what did not verify fails nothing (the step's start timeout still
        // fails it if no agent takes the genuine dispatch).
        return stale(
            "refusal by "
                + refused.agent()
                + " of a record that did not verify: "
                + refused.reason());
      }
      if (!current || s.phase == Phase.SETTLING) {
        return stale("stale refusal from " + refused.agent() + ": " + refused.reason());
      }
      String why = "agent " + refused.agent() + " refused the dispatch: " + refused.reason();
      t.end(node, s, StepStatus.FAILED, why, true);
      return Optional.empty();
    }
    if (!current) {
      if (report instanceof StepReport.Started started) {
        cancelStale(started, "superseded dispatch");
      }
      return stale("stale report from " + report.agent() + " for dispatch " + report.dispatchId());
    }
    if (s.phase != Phase.WAITING && s.agent != null && !s.agent.equals(report.agent())) {
      // One agent holds an attempt from its start: another agent's word on it (a second consumer
      // handed the same record, or a forger) changes nothing, and what it runs is stopped.
      if (report instanceof StepReport.Started started) {
        cancelStale(started, "the attempt is held by " + s.agent);
      }
      return stale(
          "report from "
              + report.agent()
              + " on dispatch "
              + report.dispatchId()
              + ", held by "
              + s.agent);
    }
    int attempts = node.leaf().retries() + 1;
    int n = attemptOf(report);
    if (n < 1 || n > attempts) {
      return stale(
          "attempt " + n + " reported by " + report.agent() + ", beyond the step's " + attempts);
    }
    if (report instanceof StepReport.Started st) {
      return started(node, s, st);
    }
    if (report instanceof StepReport.Retrying r) {
      return retrying(node, s, r);
    }
    if (report instanceof StepReport.Finished f) {
      finished(node, s, f);
      return Optional.empty();
    }
    if (report instanceof StepReport.Returned r) {
      lost(node, s, r.agent() + " handed the step back: " + r.reason(), Loss.HANDED_BACK);
      return Optional.empty();
    }
    throw new IllegalArgumentException("unknown report " + report);
  }

  private static int attemptOf(StepReport report) {
    if (report instanceof StepReport.Started st) {
      return st.attempt();
    }
    if (report instanceof StepReport.Retrying r) {
      return r.attempt();
    }
    if (report instanceof StepReport.Finished f) {
      return f.attempt();
    }
    return ((StepReport.Returned) report).attempt();
  }

  void cancelStale(StepReport.Started s, String why) {
    t.command(new Command.CancelAttempt(s.agent(), s.runId(), s.dispatchId(), why));
  }

  private Optional<Rejection> started(Plan.Node node, StepState s, StepReport.Started st) {
    if (s.phase == Phase.SETTLING) {
      return stale("started while being cancelled");
    }
    if (s.agentTook(st.agent())) {
      t.command(new Command.ClearTimer(Timers.start(s.dispatchId)));
    }
    s.attemptStarted(st.attempt(), t.now);
    guard(node, s, 0);
    return Optional.empty();
  }

  private Optional<Rejection> retrying(Plan.Node node, StepState s, StepReport.Retrying r) {
    if (s.phase == Phase.SETTLING) {
      return stale("retry while being cancelled");
    }
    if (s.agentTook(r.agent())) {
      t.command(new Command.ClearTimer(Timers.start(s.dispatchId)));
    }
    AttemptStatus failed = r.timedOut() ? AttemptStatus.TIMEOUT : AttemptStatus.FAILED;
    s.attemptRetried(r.attempt(), failed, r.error(), t.now);
    t.emit(
        t.event(EventType.STEP_RETRY, node)
            .attempt(r.attempt()) // the attempt that failed: the seed's retry number
            .agent(r.agent())
            .delay(r.delayMs())
            .error(r.error()));
    guard(node, s, r.delayMs());
    return Optional.empty();
  }

  private void finished(Plan.Node node, StepState s, StepReport.Finished f) {
    AttemptStatus outcome = f.outcome();
    s.attemptFinished(f.agent(), f.attempt(), outcome, f.error(), f.result(), t.now);
    boolean cancelling = s.phase == Phase.SETTLING;
    switch (outcome) {
      case SUCCESS -> t.end(node, s, StepStatus.SUCCESS, null, false);
      case TIMEOUT -> t.end(node, s, StepStatus.TIMEOUT, f.error(), true);
      case CANCELLED ->
          t.end(
              node,
              s,
              cancelling ? StepStatus.CANCELLED : StepStatus.FAILED,
              cancelling ? f.error() : "cancelled on agent " + f.agent() + ": " + f.error(),
              !cancelling);
      default -> t.end(node, s, StepStatus.FAILED, f.error(), true);
    }
  }

  Optional<Rejection> attemptLost(String dispatchId, String reason) {
    String path = RunMachine.pathOf(dispatchId);
    Plan.Node node = t.plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
    StepState s = node == null ? null : t.store.step(path);
    if (s == null || s.ended() || !dispatchId.equals(s.dispatchId)) {
      return stale("lost report for a dispatch no longer current: " + dispatchId);
    }
    lost(node, s, reason, Loss.AGENT_GONE);
    return Optional.empty();
  }

  /** How an attempt in flight was lost, and so which count it adds to. */
  private enum Loss {
    /** Its agent died or stopped answering. */
    AGENT_GONE,
    /**
     * A stopping agent handed it back; counted apart, with more allowed (agents stop in rolling
     * restarts), so that a step bounced again and again (or by forged reports) still ends.
     */
    HANDED_BACK
  }

  /** The attempt in flight is gone with its agent: dispatch the step again, within bounds. */
  private void lost(Plan.Node node, StepState s, String reason, Loss loss) {
    int times =
        loss == Loss.AGENT_GONE ? s.attemptLost(reason, t.now) : s.handedBack(reason, t.now);
    t.emit(t.event(EventType.STEP_LOST, node).attempt(s.attempt).agent(s.agent).error(reason));
    if (s.phase == Phase.SETTLING) {
      String why = "cancelled (its agent was lost: " + reason + ")";
      t.end(node, s, StepStatus.CANCELLED, why, false);
      return;
    }
    int allowed =
        loss == Loss.AGENT_GONE ? t.config.maxLost() : Math.max(HAND_BACKS, 3 * t.config.maxLost());
    if (times > allowed) {
      String what =
          loss == Loss.AGENT_GONE
              ? "lost " + times + " times with its agent"
              : "handed back " + times + " times";
      String why = what + ", more than the " + allowed + " allowed; last: ";
      t.end(node, s, StepStatus.FAILED, why + reason, true);
      return;
    }
    clearAttemptTimers(s); // end() clears them on the other paths
    dispatch(node, s, Math.max(1, s.attempt));
  }

  private void guard(Plan.Node node, StepState s, long delayMs) {
    long due =
        t.now + delayMs + node.leaf().timeout().toMillis() + t.config.reportGrace().toMillis();
    t.command(new Command.SetTimer(Timers.guard(s.dispatchId), due));
  }

  /** The leaf ended: no timer of it may fire any more. */
  void clearTimers(Plan.Node node, StepState s) {
    if (s.dispatchId != null) {
      clearAttemptTimers(s);
    }
    if (node.leaf().deadline().isPresent()) {
      t.command(new Command.ClearTimer(Timers.deadline(node.path())));
    }
    if (node.leaf().action() instanceof Action.Approval) {
      t.command(new Command.ClearTimer(Timers.approval(node.path())));
    }
  }

  private void clearAttemptTimers(StepState s) {
    t.command(new Command.ClearTimer(Timers.start(s.dispatchId)));
    t.command(new Command.ClearTimer(Timers.guard(s.dispatchId)));
    t.command(new Command.ClearTimer(Timers.settle(s.dispatchId)));
  }

  /** The leaf's deadline: whatever it is doing, it times out now. */
  Optional<Rejection> deadline(String path, String timerId) {
    Plan.Node node = t.plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
    StepState s = node == null ? null : t.store.step(path);
    Duration deadline = node == null ? null : node.leaf().deadline().orElse(null);
    if (s == null
        || s.ended()
        || deadline == null
        || t.now < s.startedAt + deadline.toMillis()
        || s.phase == Phase.SETTLING) {
      return stale("stale timer " + timerId);
    }
    if (s.phase == Phase.RUNNING) {
      String why = "the step's deadline passed";
      t.command(new Command.CancelAttempt(s.agent, t.run().runId, s.dispatchId, why));
    }
    s.deadlinePassed(t.now);
    String why = "deadline: the step took longer than " + Durations.format(deadline);
    t.end(node, s, StepStatus.TIMEOUT, why, true);
    return Optional.empty();
  }

  // ---- timers and cancel --------------------------------------------------------------------

  Optional<Rejection> timer(Timers.Parsed timer, String timerId) {
    String path = RunMachine.pathOf(timer.dispatchId());
    Plan.Node node = t.plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
    StepState s = node == null ? null : t.store.step(path);
    if (s == null || s.ended() || !timer.dispatchId().equals(s.dispatchId)) {
      return stale("stale timer " + timerId);
    }
    Phase expected =
        switch (timer.kind()) {
          case START -> Phase.WAITING;
          case GUARD -> Phase.RUNNING;
          case SETTLE -> Phase.SETTLING;
          default -> throw new IllegalStateException("unexpected timer " + timerId);
        };
    if (s.phase != expected) {
      return stale("stale timer " + timerId);
    }
    switch (timer.kind()) {
      case START ->
          t.end(
              node,
              s,
              StepStatus.FAILED,
              "no agent of pool \""
                  + node.leaf().pool()
                  + "\" started the step within "
                  + Durations.format(startTimeout(node.leaf())),
              true);
      case GUARD -> lost(node, s, "no report from agent " + s.agent + " in time", Loss.AGENT_GONE);
      default -> {
        s.cancelUnconfirmed(t.now);
        String why = "cancelled (agent " + s.agent + " did not confirm in time)";
        t.end(node, s, StepStatus.CANCELLED, why, false);
      }
    }
    return Optional.empty();
  }

  void cancel(Plan.Node node, StepState s, String reason) {
    switch (s.phase) {
      case WAITING -> t.end(node, s, StepStatus.CANCELLED, reason, false);
      case RUNNING -> {
        s.settle(false);
        t.command(new Command.ClearTimer(Timers.guard(s.dispatchId)));
        t.command(new Command.CancelAttempt(s.agent, t.run().runId, s.dispatchId, reason));
        t.command(
            new Command.SetTimer(
                Timers.settle(s.dispatchId), t.now + t.config.cancelGrace().toMillis()));
      }
      default -> {
        // already settling
      }
    }
  }

  private static Optional<Rejection> stale(String reason) {
    return Optional.of(Rejection.stale(reason));
  }
}
