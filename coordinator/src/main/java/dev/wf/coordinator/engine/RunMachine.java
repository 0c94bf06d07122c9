package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.ActionJson;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.definition.Group;
import dev.wf.protocol.definition.GroupType;
import dev.wf.protocol.definition.Leaf;
import dev.wf.protocol.definition.OnError;
import dev.wf.protocol.definition.RetryPolicy;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.expr.CelValues;
import dev.wf.protocol.expr.EvaluationException;
import dev.wf.protocol.expr.Template;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The workflow state machine: {@code (state, input, now) -> (state', commands)}. Pure: no Kafka, no
 * clock, no threads. The state lives in a {@link RunStore}; the commands are values the shell
 * carries out after storing the state.
 *
 * <p>Semantics are the seed orchestrator's (sequential and parallel groups, conditions, retries,
 * timeouts, onError) with the fixes of DESIGN.md section 6: timeout status, group retry, retries
 * counted, fail-fast cancellation of running siblings, each failure listed once.
 */
public final class RunMachine {
  private final MachineConfig config;

  public RunMachine(MachineConfig config) {
    this.config = config;
  }

  public RunMachine() {
    this(MachineConfig.DEFAULT);
  }

  /** Applies {@code input} to the run held in {@code store}, at time {@code now} (epoch ms). */
  public Outcome apply(Plan plan, RunStore store, Input input, long now) {
    return new Application(plan, store, now).apply(input);
  }

  /**
   * One input being applied to one run: what it read, the commands it gathers. (Not a workflow
   * step: those are {@link Plan.Node}s with their {@link StepState}.)
   */
  private final class Application {
    private final Plan plan;
    private final RunStore store;
    private final long now;
    private final List<Command> commands = new ArrayList<>();
    private RunInfo run;
    private Map<String, Object> inputVars;

    Application(Plan plan, RunStore store, long now) {
      this.plan = plan;
      this.store = store;
      this.now = now;
      this.run = store.run();
    }

    Outcome apply(Input input) {
      if (input instanceof Input.StartRun start) {
        return start(start);
      }
      if (run == null) {
        return Outcome.ignored(Rejection.Type.UNKNOWN_RUN, "unknown run", commands);
      }
      if (run.ended()) {
        if (input instanceof Input.Report r && r.report() instanceof StepReport.Started s) {
          cancelStale(s, "the run has ended");
        }
        return Outcome.ignored(Rejection.Type.ENDED, "the run has ended", commands);
      }
      Optional<Rejection> ignored;
      if (input instanceof Input.CancelRun c) {
        ignored = cancelRun(c.reason());
      } else if (input instanceof Input.Report r) {
        ignored = report(r.report());
      } else if (input instanceof Input.TimerFired t) {
        ignored = timer(t.timerId());
      } else if (input instanceof Input.AttemptLost l) {
        ignored = attemptLost(l.dispatchId(), l.reason());
      } else {
        throw new IllegalArgumentException("unknown input " + input);
      }
      store.putRun(run);
      return new Outcome(commands, ignored);
    }

    // ---- start and cancel -----------------------------------------------------------------

    private Outcome start(Input.StartRun start) {
      if (run != null) {
        return Outcome.ignored(
            Rejection.Type.DUPLICATE, "run " + start.runId() + " exists", commands);
      }
      run = new RunInfo(start.runId(), plan.root().name(), now);
      run.inputs.putAll(plan.workflow().inputs());
      run.inputs.putAll(start.inputs());
      store.putRun(run);
      emit(event(EventType.WORKFLOW_START, plan.root()));
      startStep(plan.root());
      store.putRun(run);
      return new Outcome(commands, Optional.empty());
    }

    private Optional<Rejection> cancelRun(String reason) {
      if (run.cancelRequested) {
        return Optional.of(new Rejection(Rejection.Type.DUPLICATE, "cancel already requested"));
      }
      run.cancelRequested = true;
      run.cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
      cancel(plan.root(), "run cancelled: " + run.cancelReason);
      return Optional.empty();
    }

    // ---- starting steps -------------------------------------------------------------------

    private void startStep(Plan.Node node) {
      Optional<Boolean> go = checkCondition(node);
      if (go.isEmpty()) {
        return; // the condition failed and ended the step
      }
      StepState s = store.create(node.path());
      s.startedAt = now;
      if (!go.get()) {
        end(node, s, StepStatus.SKIPPED, null, false);
        return;
      }
      emit(event(EventType.STEP_START, node).attempt(1));
      if (node.isLeaf()) {
        dispatch(node, s, 1);
      } else {
        s.moveTo(Phase.RUNNING);
        s.iterationStartedAt = now;
        beginGroup(node, s);
      }
    }

    /** True to run, false to skip, empty when evaluating failed (the step has then ended). */
    private Optional<Boolean> checkCondition(Plan.Node node) {
      if (node.condition().isEmpty()) {
        return Optional.of(true);
      }
      String problem;
      try {
        Object value = node.condition().get().evaluate(vars(node));
        if (value instanceof Boolean b) {
          return Optional.of(b);
        }
        problem =
            "condition `"
                + node.condition().get().source()
                + "` gave "
                + CelValues.toJson(value)
                + ", not a bool";
      } catch (EvaluationException e) {
        problem = "condition: " + e.getMessage();
      }
      StepState s = store.create(node.path());
      s.startedAt = now;
      end(node, s, StepStatus.FAILED, problem, true);
      return Optional.empty();
    }

    private void beginGroup(Plan.Node node, StepState g) {
      List<Plan.Node> children = node.children();
      if (node.group().type() == GroupType.SEQUENTIAL) {
        g.nextChild = 1;
        startStep(children.get(0));
        return;
      }
      g.pending = children.size();
      for (int i = 0; i < children.size(); i++) {
        if (g.phase != Phase.RUNNING) {
          // A child failed the group while we were starting the others: those never start.
          g.pending -= children.size() - i;
          if (g.phase == Phase.SETTLING && g.pending == 0) {
            settled(node, g);
          }
          return;
        }
        startStep(children.get(i));
      }
    }

    private void dispatch(Plan.Node node, StepState s, int attempt) {
      Leaf leaf = node.leaf();
      JsonNode action;
      try {
        Map<String, Object> vars = node.templates().isEmpty() ? Map.of() : vars(node);
        action = ActionJson.write(leaf.action(), v -> render(node, v, vars));
      } catch (EvaluationException e) {
        end(node, s, StepStatus.FAILED, "template: " + e.getMessage(), true);
        return;
      }
      run.nextDispatch++;
      String dispatchId = run.nextDispatch + ":" + node.path();
      s.moveTo(Phase.WAITING);
      s.dispatchId = dispatchId;
      s.attempt = attempt;
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
              now);
      commands.add(new Command.DispatchStep(d));
      commands.add(
          new Command.SetTimer(Timers.start(dispatchId), now + startTimeout(leaf).toMillis()));
    }

    private java.time.Duration startTimeout(Leaf leaf) {
      return leaf.startTimeout().orElse(config.startTimeout());
    }

    private String render(Plan.Node node, String value, Map<String, Object> vars) {
      Template t = node.templates().get(value);
      return t == null ? value : t.render(vars);
    }

    /** Stable across the attempts of one step; new when an enclosing group runs again. */
    private String idempotencyKey(Plan.Node node) {
      StringBuilder iterations = new StringBuilder();
      boolean rerun = false;
      for (Plan.Node p = node.parent().orElse(null); p != null; p = p.parent().orElse(null)) {
        StepState ps = store.step(p.path());
        int it = ps == null ? 1 : ps.iteration;
        rerun |= it > 1;
        iterations.insert(0, "." + it);
      }
      return run.runId + ":" + node.path() + (rerun ? "#" + iterations.substring(1) : "");
    }

    // ---- agent reports --------------------------------------------------------------------

    private Optional<Rejection> report(StepReport report) {
      if (report instanceof StepReport.Refused refused) {
        String refusedPath = pathOf(refused.dispatchId());
        Plan.Node refusedNode = plan.node(refusedPath).filter(Plan.Node::isLeaf).orElse(null);
        emit(
            WorkflowEvent.of(EventType.DISPATCH_REFUSED, run.runId)
                .step(refusedPath, refusedNode == null ? null : refusedNode.name())
                .agent(refused.agent())
                .reason(refused.reason()));
        StepState rs = refusedNode == null ? null : store.step(refusedPath);
        if (rs != null
            && !rs.ended()
            && refused.dispatchId().equals(rs.dispatchId)
            && rs.phase != Phase.SETTLING) {
          end(
              refusedNode,
              rs,
              StepStatus.FAILED,
              "agent " + refused.agent() + " refused the dispatch: " + refused.reason(),
              true);
          return Optional.empty();
        }
        return Optional.of(
            Rejection.stale("stale refusal from " + refused.agent() + ": " + refused.reason()));
      }
      String path = pathOf(report.dispatchId());
      Plan.Node node = plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
      StepState s = node == null ? null : store.step(path);
      if (s == null || s.ended() || !report.dispatchId().equals(s.dispatchId)) {
        if (report instanceof StepReport.Started started) {
          cancelStale(started, "superseded dispatch");
        }
        return Optional.of(
            Rejection.stale(
                "stale report from " + report.agent() + " for dispatch " + report.dispatchId()));
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
        lost(node, s, r.agent() + " handed the step back: " + r.reason(), false);
        return Optional.empty();
      }
      throw new IllegalArgumentException("unknown report " + report);
    }

    private void cancelStale(StepReport.Started s, String why) {
      commands.add(new Command.CancelAttempt(s.agent(), s.runId(), s.dispatchId(), why));
    }

    private Optional<Rejection> started(Plan.Node node, StepState s, StepReport.Started st) {
      if (s.phase == Phase.SETTLING) {
        return Optional.of(Rejection.stale("started while being cancelled"));
      }
      if (s.phase == Phase.WAITING) {
        s.moveTo(Phase.RUNNING);
        commands.add(new Command.ClearTimer(Timers.start(s.dispatchId)));
      }
      s.agent = st.agent();
      s.attempt = st.attempt();
      s.retries = Math.max(0, st.attempt() - 1);
      closeOpenAttempt(s, AttemptStatus.LOST, "superseded by attempt " + st.attempt());
      s.attempts.add(new Attempt(st.attempt(), AttemptStatus.RUNNING, st.agent(), now, null, null));
      guard(node, s, 0);
      return Optional.empty();
    }

    private Optional<Rejection> retrying(Plan.Node node, StepState s, StepReport.Retrying r) {
      if (s.phase == Phase.SETTLING) {
        return Optional.of(Rejection.stale("retry while being cancelled"));
      }
      if (s.phase == Phase.WAITING) {
        s.moveTo(Phase.RUNNING);
        commands.add(new Command.ClearTimer(Timers.start(s.dispatchId)));
      }
      s.agent = r.agent();
      AttemptStatus failed = r.timedOut() ? AttemptStatus.TIMEOUT : AttemptStatus.FAILED;
      closeAttempt(s, r.attempt(), r.agent(), failed, r.error());
      s.attempt = r.attempt() + 1;
      s.retries = r.attempt();
      emit(
          event(EventType.STEP_RETRY, node)
              .attempt(r.attempt()) // the attempt that failed: the seed's retry number
              .agent(r.agent())
              .delay(r.delayMs())
              .error(r.error()));
      guard(node, s, r.delayMs());
      return Optional.empty();
    }

    private void finished(Plan.Node node, StepState s, StepReport.Finished f) {
      AttemptStatus outcome = f.outcome();
      closeAttempt(s, f.attempt(), f.agent(), outcome, f.error());
      s.agent = f.agent();
      s.attempt = f.attempt();
      s.retries = Math.max(0, f.attempt() - 1);
      s.result = f.result();
      boolean cancelling = s.phase == Phase.SETTLING;
      switch (outcome) {
        case SUCCESS -> end(node, s, StepStatus.SUCCESS, null, false);
        case TIMEOUT -> end(node, s, StepStatus.TIMEOUT, f.error(), true);
        case CANCELLED ->
            end(
                node,
                s,
                cancelling ? StepStatus.CANCELLED : StepStatus.FAILED,
                cancelling ? f.error() : "cancelled on agent " + f.agent() + ": " + f.error(),
                !cancelling);
        default -> end(node, s, StepStatus.FAILED, f.error(), true);
      }
    }

    private Optional<Rejection> attemptLost(String dispatchId, String reason) {
      String path = pathOf(dispatchId);
      Plan.Node node = plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
      StepState s = node == null ? null : store.step(path);
      if (s == null || s.ended() || !dispatchId.equals(s.dispatchId)) {
        return Optional.of(
            Rejection.stale("lost report for a dispatch no longer current: " + dispatchId));
      }
      lost(node, s, reason, true);
      return Optional.empty();
    }

    /** The attempt in flight is gone with its agent: dispatch the step again, within bounds. */
    private void lost(Plan.Node node, StepState s, String reason, boolean counts) {
      closeOpenAttempt(s, AttemptStatus.LOST, reason);
      emit(event(EventType.STEP_LOST, node).attempt(s.attempt).agent(s.agent).error(reason));
      if (s.phase == Phase.SETTLING) {
        end(node, s, StepStatus.CANCELLED, "cancelled (its agent was lost: " + reason + ")", false);
        return;
      }
      if (counts) {
        s.lost++;
        if (s.lost > config.maxLost()) {
          end(
              node,
              s,
              StepStatus.FAILED,
              "lost "
                  + s.lost
                  + " times with its agent, more than the "
                  + config.maxLost()
                  + " allowed; last: "
                  + reason,
              true);
          return;
        }
      }
      clearLeafTimers(s); // end() clears them on the other paths
      dispatch(node, s, Math.max(1, s.attempt));
    }

    private void guard(Plan.Node node, StepState s, long delayMs) {
      long due = now + delayMs + node.leaf().timeout().toMillis() + config.reportGrace().toMillis();
      commands.add(new Command.SetTimer(Timers.guard(s.dispatchId), due));
    }

    private void closeOpenAttempt(StepState s, AttemptStatus outcome, String error) {
      if (!s.attempts.isEmpty()) {
        Attempt last = s.attempts.get(s.attempts.size() - 1);
        if (last.status() == AttemptStatus.RUNNING) {
          s.attempts.set(s.attempts.size() - 1, last.ended(outcome, now, error));
        }
      }
    }

    private void closeAttempt(
        StepState s, int attempt, String agent, AttemptStatus outcome, String error) {
      if (!s.attempts.isEmpty()) {
        Attempt last = s.attempts.get(s.attempts.size() - 1);
        if (last.attempt() == attempt && last.status() == AttemptStatus.RUNNING) {
          s.attempts.set(s.attempts.size() - 1, last.ended(outcome, now, error));
          return;
        }
      }
      closeOpenAttempt(s, AttemptStatus.LOST, "no report");
      s.attempts.add(new Attempt(attempt, outcome, agent, null, null, error));
    }

    // ---- timers ---------------------------------------------------------------------------

    private Optional<Rejection> timer(String timerId) {
      Timers.Parsed t = Timers.parse(timerId);
      if (t == null) {
        return Optional.of(Rejection.stale("unknown timer " + timerId));
      }
      if (t.kind() == Timers.Kind.BACKOFF) {
        Plan.Node node = plan.node(t.path()).orElse(null);
        StepState g = node == null ? null : store.step(t.path());
        if (g == null || g.phase != Phase.BACKOFF || g.iteration != t.number()) {
          return Optional.of(Rejection.stale("stale timer " + timerId));
        }
        g.iteration++;
        g.iterationStartedAt = now;
        g.nextChild = 0;
        g.pending = 0;
        g.failing = false;
        g.failure = null;
        g.moveTo(Phase.RUNNING);
        beginGroup(node, g);
        return Optional.empty();
      }
      String path = pathOf(t.dispatchId());
      Plan.Node node = plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
      StepState s = node == null ? null : store.step(path);
      if (s == null || s.ended() || !t.dispatchId().equals(s.dispatchId)) {
        return Optional.of(Rejection.stale("stale timer " + timerId));
      }
      switch (t.kind()) {
        case START -> {
          if (s.phase != Phase.WAITING) {
            return Optional.of(Rejection.stale("stale timer " + timerId));
          }
          end(
              node,
              s,
              StepStatus.FAILED,
              "no agent of pool \""
                  + node.leaf().pool()
                  + "\" started the step within "
                  + Durations.format(startTimeout(node.leaf())),
              true);
        }
        case GUARD -> {
          if (s.phase != Phase.RUNNING) {
            return Optional.of(Rejection.stale("stale timer " + timerId));
          }
          lost(node, s, "no report from agent " + s.agent + " in time", true);
        }
        case SETTLE -> {
          if (s.phase != Phase.SETTLING) {
            return Optional.of(Rejection.stale("stale timer " + timerId));
          }
          closeOpenAttempt(s, AttemptStatus.CANCELLED, "agent did not confirm the cancel");
          end(
              node,
              s,
              StepStatus.CANCELLED,
              "cancelled (agent " + s.agent + " did not confirm in time)",
              false);
        }
        default -> throw new IllegalStateException("unexpected timer " + timerId);
      }
      return Optional.empty();
    }

    // ---- ending steps and propagating -----------------------------------------------------

    private void end(Plan.Node node, StepState s, StepStatus status, String error, boolean origin) {
      if (node.isLeaf() && s.dispatchId != null) {
        clearLeafTimers(s);
      }
      s.moveTo(Phase.ENDED);
      s.status = status;
      s.endedAt = now;
      s.endSeq = run.nextEndSeq++;
      s.error = error;
      s.errorOrigin = origin && status.isFailure();
      long took = Math.max(0, now - s.startedAt);
      WorkflowEvent.Builder e =
          switch (status) {
            case SUCCESS -> event(EventType.STEP_COMPLETE, node).result(s.result);
            case FAILED -> event(EventType.STEP_FAILED, node).error(error);
            case TIMEOUT -> event(EventType.STEP_TIMEOUT, node).error(error);
            case SKIPPED -> event(EventType.STEP_SKIPPED, node);
            case CANCELLED -> event(EventType.STEP_CANCELLED, node).error(error);
            default -> throw new IllegalStateException("not a final status: " + status);
          };
      if (status != StepStatus.SKIPPED) {
        e.duration(took);
        if (node.isLeaf()) {
          e.attempt(Math.max(1, s.attempt)).agent(s.agent);
        } else {
          e.attempt(s.iteration);
        }
      }
      emit(e);
      Optional<Plan.Node> parent = node.parent();
      if (parent.isPresent()) {
        childEnded(parent.get(), s, node);
      } else {
        finishRun(node, s);
      }
    }

    private void clearLeafTimers(StepState s) {
      commands.add(new Command.ClearTimer(Timers.start(s.dispatchId)));
      commands.add(new Command.ClearTimer(Timers.guard(s.dispatchId)));
      commands.add(new Command.ClearTimer(Timers.settle(s.dispatchId)));
    }

    private void childEnded(Plan.Node parent, StepState child, Plan.Node childNode) {
      StepState g = store.step(parent.path());
      Group group = parent.group();
      boolean failsParent =
          child.status.isFailure() && childNode.step().onError() != OnError.CONTINUE;
      boolean sequential = group.type() == GroupType.SEQUENTIAL;
      switch (g.phase) {
        case RUNNING -> {
          if (sequential) {
            if (failsParent) {
              groupFailed(parent, g, failureOf(childNode, child));
            } else if (g.nextChild < parent.children().size()) {
              startStep(parent.children().get(g.nextChild++));
            } else {
              end(parent, g, StepStatus.SUCCESS, null, false);
            }
            return;
          }
          g.pending--;
          if (failsParent && !g.failing) {
            g.failing = true;
            g.failure = failureOf(childNode, child);
            if (group.failFast() && g.pending > 0) {
              g.moveTo(Phase.SETTLING);
              cancelChildren(parent, "a sibling failed: " + g.failure);
              if (g.phase == Phase.SETTLING && g.pending == 0) {
                settled(parent, g);
              }
              return;
            }
          }
          if (g.pending == 0) {
            if (g.failing) {
              groupFailed(parent, g, g.failure);
            } else {
              end(parent, g, StepStatus.SUCCESS, null, false);
            }
          }
        }
        case SETTLING -> {
          if (!sequential) {
            g.pending--;
            if (g.pending > 0) {
              return;
            }
          }
          settled(parent, g);
        }
        default ->
            throw new IllegalStateException(
                "child " + child.path + " ended while its group is " + g.phase);
      }
    }

    /** A settling group has no child left running. */
    private void settled(Plan.Node node, StepState g) {
      if (g.failing && !g.cancelling) {
        groupFailed(node, g, g.failure);
      } else if (g.failing) {
        end(node, g, StepStatus.FAILED, g.failure, false);
      } else {
        end(node, g, StepStatus.CANCELLED, "cancelled", false);
      }
    }

    private String failureOf(Plan.Node childNode, StepState child) {
      if (!childNode.isLeaf() && child.error != null) {
        return child.error;
      }
      String what = child.status == StepStatus.TIMEOUT ? "timed out" : "failed";
      return "step \""
          + childNode.name()
          + "\" "
          + what
          + (child.error == null ? "" : ": " + child.error);
    }

    private void groupFailed(Plan.Node node, StepState g, String failure) {
      Group group = node.group();
      boolean retry =
          group.onError() == OnError.RETRY
              && g.iteration <= group.retries()
              && !run.cancelRequested
              && !g.cancelling;
      if (!retry) {
        end(node, g, StepStatus.FAILED, failure, false);
        return;
      }
      long delay =
          group.retryPolicy().backoff(g.iteration, unit(node.path(), g.iteration)).toMillis();
      g.attempts.add(
          new Attempt(
              g.iteration,
              AttemptStatus.FAILED,
              null,
              g.iterationStartedAt,
              now - g.iterationStartedAt,
              failure));
      g.retries = g.iteration;
      Plan.forEachDescendant(node, d -> store.remove(d.path()));
      g.moveTo(Phase.BACKOFF);
      emit(event(EventType.STEP_RETRY, node).attempt(g.iteration).delay(delay).error(failure));
      commands.add(new Command.SetTimer(Timers.backoff(node.path(), g.iteration), now + delay));
    }

    /** A number in [0, 1) that is the same every time for one retry of one step. */
    private double unit(String path, int n) {
      long h = (run.runId + "|" + path + "|" + n).hashCode() & 0x7fffffffL;
      return (h % 10_000) / 10_000.0;
    }

    // ---- cancellation ---------------------------------------------------------------------

    private void cancelChildren(Plan.Node node, String reason) {
      for (Plan.Node child : node.children()) {
        StepState c = store.step(child.path());
        if (c != null && !c.ended()) {
          cancel(child, reason);
        }
      }
    }

    private void cancel(Plan.Node node, String reason) {
      StepState s = store.step(node.path());
      if (s == null || s.ended()) {
        return;
      }
      if (node.isLeaf()) {
        switch (s.phase) {
          case WAITING -> end(node, s, StepStatus.CANCELLED, reason, false);
          case RUNNING -> {
            s.moveTo(Phase.SETTLING);
            commands.add(new Command.ClearTimer(Timers.guard(s.dispatchId)));
            commands.add(new Command.CancelAttempt(s.agent, run.runId, s.dispatchId, reason));
            commands.add(
                new Command.SetTimer(
                    Timers.settle(s.dispatchId), now + config.cancelGrace().toMillis()));
          }
          default -> {
            // already settling
          }
        }
        return;
      }
      switch (s.phase) {
        case BACKOFF -> {
          commands.add(new Command.ClearTimer(Timers.backoff(node.path(), s.iteration)));
          end(node, s, StepStatus.CANCELLED, reason, false);
        }
        case RUNNING, SETTLING -> {
          s.cancelling = true;
          if (s.phase == Phase.RUNNING) {
            s.moveTo(Phase.SETTLING);
          }
          cancelChildren(node, reason);
          if (s.phase == Phase.SETTLING && !anyChildInFlight(node)) {
            settled(node, s);
          }
        }
        default -> throw new IllegalStateException("group " + node.path() + " is " + s.phase);
      }
    }

    private boolean anyChildInFlight(Plan.Node node) {
      for (Plan.Node child : node.children()) {
        StepState c = store.step(child.path());
        if (c != null && !c.ended()) {
          return true;
        }
      }
      return false;
    }

    // ---- the end of the run ---------------------------------------------------------------

    private void finishRun(Plan.Node root, StepState s) {
      // A failure the root forgives (onError: continue) leaves a run cancelled while it ran
      // cancelled, not a success: the cancel cut it short, the failure did not decide it.
      boolean forgiven = s.status.isFailure() && root.step().onError() == OnError.CONTINUE;
      boolean success =
          s.status == StepStatus.SUCCESS
              || s.status == StepStatus.SKIPPED
              || (forgiven && !run.cancelRequested);
      run.status =
          s.status == StepStatus.CANCELLED || (forgiven && run.cancelRequested)
              ? RunStatus.CANCELLED
              : success ? RunStatus.SUCCESS : RunStatus.FAILED;
      run.endedAt = now;
      store.putRun(run);
      WorkflowResult result = Results.of(plan, store, now, false);
      if (run.status == RunStatus.FAILED) {
        emit(event(EventType.WORKFLOW_FAILED, root).error(s.error));
      } else if (run.status == RunStatus.CANCELLED) {
        emit(event(EventType.WORKFLOW_CANCELLED, root).reason(run.cancelReason));
      }
      emit(
          event(EventType.WORKFLOW_COMPLETE, root)
              .duration(result.duration())
              .result(Json.tree(result)));
      commands.add(new Command.PublishResult(result));
    }

    // ---- expressions ----------------------------------------------------------------------

    private Map<String, Object> vars(Plan.Node node) {
      if (inputVars == null) {
        Map<String, Object> in = new LinkedHashMap<>();
        run.inputs.forEach((k, v) -> in.put(k, CelValues.fromJson(v)));
        inputVars = in;
      }
      Map<String, Object> steps = new HashMap<>();
      if (node.readsAllSteps()) {
        store.forEachStep(
            st -> {
              if (st.ended()) {
                plan.node(st.path).ifPresent(n -> steps.put(n.name(), stepValue(st)));
              }
            });
      } else {
        for (String name : node.reads()) {
          plan.byName(name)
              .map(n -> store.step(n.path()))
              .filter(StepState::ended)
              .ifPresent(st -> steps.put(name, stepValue(st)));
        }
      }
      return Map.of("inputs", inputVars, "steps", steps);
    }

    private Map<String, Object> stepValue(StepState s) {
      Map<String, Object> v = new HashMap<>();
      v.put("status", s.status.word());
      v.put("result", CelValues.fromJson(s.result));
      v.put("error", s.error == null ? NullValue.NULL_VALUE : s.error);
      v.put("duration", Math.max(0, s.endedAt - s.startedAt));
      v.put("retries", (long) s.retries);
      return v;
    }

    // ---- events ---------------------------------------------------------------------------

    private WorkflowEvent.Builder event(EventType type, Plan.Node node) {
      return WorkflowEvent.of(type, run.runId).step(node.path(), node.name());
    }

    private void emit(WorkflowEvent.Builder e) {
      commands.add(new Command.Emit(e.at(Instant.ofEpochMilli(now).toString())));
    }
  }

  /** The dispatch id is {@code <n>:<path>}: unique per run, and it names its step. */
  static String pathOf(String dispatchId) {
    int colon = dispatchId == null ? -1 : dispatchId.indexOf(':');
    return colon < 0 ? "" : dispatchId.substring(colon + 1);
  }
}
