package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Concurrency;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.definition.OnError;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.expr.CelValues;
import dev.wf.protocol.expr.EvaluationException;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.Template;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One turn of the machine: one input applied to one run at one instant. It holds what the turn read
 * and the commands it gathers, and the life of a step that does not depend on its kind: starting
 * (with its condition), ending (and telling its group), cancelling. What a leaf does is {@link
 * Leaves}; what a group does with its children is its {@link GroupBehaviour}.
 */
final class Turn {
  final Plan plan;
  final RunStore store;
  final MachineConfig config;
  final long now;
  final Leaves leaves = new Leaves(this);
  private final List<Command> commands = new ArrayList<>();
  private final Variables variables;
  private final Set<String> filling = new HashSet<>();
  private RunInfo run;

  Turn(Plan plan, RunStore store, MachineConfig config, long now) {
    this.plan = plan;
    this.store = store;
    this.config = config;
    this.now = now;
    this.run = store.run();
    this.variables = new Variables(plan, store);
  }

  RunInfo run() {
    return run;
  }

  void begin(RunInfo run) {
    this.run = run;
    store.putRun(run);
  }

  Outcome outcome(Optional<Rejection> ignored) {
    if (run != null) {
      store.putRun(run);
    }
    return new Outcome(commands, ignored);
  }

  Outcome ignored(Rejection.Type type, String why) {
    return new Outcome(commands, Optional.of(new Rejection(type, why)));
  }

  void command(Command c) {
    commands.add(c);
  }

  WorkflowEvent.Builder event(EventType type, Plan.Node node) {
    return WorkflowEvent.of(type, run.runId).step(node.path(), node.name());
  }

  void emit(WorkflowEvent.Builder e) {
    commands.add(new Command.Emit(e.at(Instant.ofEpochMilli(now).toString())));
  }

  Map<String, Object> vars(Plan.Node node) {
    return variables.of(node, run);
  }

  /**
   * Marks the forEach group at {@code path} as starting iterations in this turn; false when it
   * already was (an iteration that ends at once must not start the next one from within).
   */
  boolean startFilling(String path) {
    return filling.add(path);
  }

  void doneFilling(String path) {
    filling.remove(path);
  }

  /** A number in [0, 1) that is the same every time for one retry of one step. */
  double unit(String path, int n) {
    long h = (run.runId + "|" + path + "|" + n).hashCode() & 0x7fffffffL;
    return (h % 10_000) / 10_000.0;
  }

  // ---- starting, ending and cancelling steps ----------------------------------------------

  void startStep(Plan.Node node) {
    startStep(node, null);
  }

  /** Starts {@code node}; an iteration of a forEach group starts with its {@code item}. */
  void startStep(Plan.Node node, JsonNode item) {
    if (run.rerunOf != null) {
      List<StepResult> taken = Reruns.taken(store, node.path());
      if (taken != null) {
        reuse(node, taken);
        return;
      }
    }
    StepState s = store.create(node.path());
    s.begin(now);
    if (item != null) {
      s.iterate(item);
    }
    String problem = node.condition().isEmpty() ? null : conditionProblem(node);
    if (problem != null) {
      end(
          node,
          s,
          problem.isEmpty() ? StepStatus.SKIPPED : StepStatus.FAILED,
          blank(problem),
          true);
      return;
    }
    Optional<Concurrency> concurrency = node.step().concurrency();
    if (concurrency.isPresent()) {
      String key;
      try {
        key = render(concurrency.get().key(), node);
      } catch (EvaluationException e) {
        end(node, s, StepStatus.FAILED, "concurrency key: " + e.getMessage(), true);
        return;
      }
      s.queue(key);
      commands.add(new Command.Acquire(key, run.runId, node.path(), concurrency.get().onBusy()));
      return;
    }
    proceed(node, s);
  }

  /** The step may run: it has no concurrency key, or it holds it now. */
  private void proceed(Plan.Node node, StepState s) {
    emit(event(EventType.STEP_START, node).attempt(1));
    if (node.isLeaf()) {
      leaves.start(node, s);
    } else {
      s.groupStarted(now);
      GroupBehaviour.of(node).begin(this, node, s);
    }
  }

  private String render(String text, Plan.Node node) {
    return Template.hasTemplate(text) ? Template.parse(text).render(vars(node)) : text;
  }

  /** What the keeper of concurrency keys says to the step at {@code path}. */
  Optional<Rejection> keyAnswer(Input.KeyAnswer a) {
    Plan.Node node = plan.node(a.path()).orElse(null);
    StepState s = node == null ? null : store.step(a.path());
    boolean current = s != null && !s.ended() && a.key().equals(s.key);
    if (!current) {
      // A step that ended has already sent its release, after its acquire: the keeper frees the
      // key in that order, so an answer that comes late needs nothing more.
      return Optional.of(Rejection.stale(a.answer() + " for " + a.path() + ", not waiting"));
    }
    String held = "concurrency key \"" + a.key() + "\" is held by " + a.other();
    switch (a.answer()) {
      case GRANTED -> {
        if (s.phase != Phase.QUEUED) {
          return Optional.of(Rejection.stale("granted again"));
        }
        proceed(node, s);
      }
      case QUEUED -> {
        s.queuedBehind(a.other());
        emit(event(EventType.STEP_QUEUED, node).reason(held));
      }
      case REFUSED -> end(node, s, StepStatus.FAILED, held + " (onBusy: fail)", true);
      case PREEMPTED -> {
        String why = a.other() + " took concurrency key \"" + a.key() + "\"";
        if (node.parent().isEmpty() && !run.cancelRequested) {
          run.cancelRequested = true;
          run.cancelReason = why;
        }
        cancel(node, "cancelled: " + why);
      }
      default -> throw new IllegalStateException("unknown answer " + a.answer());
    }
    return Optional.empty();
  }

  /** Null to run the step, "" to skip it, else why its condition could not be decided. */
  private String conditionProblem(Plan.Node node) {
    Expression condition = node.condition().get();
    try {
      Object value = condition.evaluate(vars(node));
      if (value instanceof Boolean b) {
        return b ? null : "";
      }
      return "condition `"
          + condition.source()
          + "` gave "
          + CelValues.toJson(value)
          + ", not a bool";
    } catch (EvaluationException e) {
      return "condition: " + e.getMessage();
    }
  }

  private static String blank(String s) {
    return s.isEmpty() ? null : s;
  }

  void end(Plan.Node node, StepState s, StepStatus status, String error, boolean origin) {
    record(node, s, status, error, origin);
    Optional<Plan.Node> parent = node.parent();
    if (parent.isPresent()) {
      Plan.Node group = parent.get();
      GroupBehaviour.of(group).childEnded(this, group, store.step(group.path()), node, s);
    } else {
      finishRun(node, s);
    }
  }

  /** Ends the step's state and says so, without telling its group. */
  private void record(
      Plan.Node node, StepState s, StepStatus status, String error, boolean origin) {
    if (node.isLeaf() && !s.reused) {
      leaves.clearTimers(node, s);
    }
    if (node.parent().isEmpty() && status == StepStatus.CANCELLED && run.timedOut) {
      // the run's timeout cut it short: that is a failure of the whole run, listed at its root
      status = StepStatus.TIMEOUT;
      error = "run timeout: the run took longer than " + Durations.format(runTimeout());
      origin = true;
    }
    s.end(status, error, origin, now, run.nextEndSeq++);
    if (s.key != null) {
      commands.add(new Command.Release(s.key, run.runId, node.path()));
    }
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
      e.duration(Math.max(0, now - s.startedAt));
      if (node.isLeaf()) {
        e.attempt(Math.max(1, s.attempt)).agent(s.agent);
      } else {
        e.attempt(s.iteration);
      }
    }
    if (s.reused) {
      e.reason("reused from run " + run.rerunOf);
    }
    emit(e);
  }

  /**
   * A rerun takes this step as it ended in the earlier run: its steps' results, then its own, in
   * the order they ended there.
   */
  private void reuse(Plan.Node node, List<StepResult> taken) {
    for (StepResult r : taken) {
      Plan.Node n = r.path().equals(node.path()) ? node : plan.node(r.path()).orElse(null);
      if (n == null) {
        continue; // the earlier run's definition is this one's: not expected
      }
      StepState s = store.create(r.path());
      s.reuse(r, now);
      if (n == node) {
        end(node, s, r.status(), r.error(), r.status().isFailure());
      } else {
        record(n, s, r.status(), r.error(), r.status().isFailure());
      }
    }
  }

  void cancel(Plan.Node node, String reason) {
    StepState s = store.step(node.path());
    if (s == null || s.ended()) {
      return;
    }
    if (s.phase == Phase.QUEUED) {
      end(node, s, StepStatus.CANCELLED, reason, false);
    } else if (node.isLeaf()) {
      leaves.cancel(node, s, reason);
    } else {
      GroupBehaviour.of(node).onCancel(this, node, s, reason);
    }
  }

  // ---- the end of the run -----------------------------------------------------------------

  private Duration runTimeout() {
    return plan.workflow().timeout().orElseThrow();
  }

  /** The run's timeout: what runs is cancelled, and the run fails once it has settled. */
  void runTimedOut() {
    run.timedOut = true;
    cancel(plan.root(), "run timeout");
  }

  private void finishRun(Plan.Node root, StepState s) {
    if (plan.workflow().timeout().isPresent()) {
      commands.add(new Command.ClearTimer(Timers.RUN_TIMEOUT));
    }
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
    WorkflowResult result =
        Results.fitted(Results.of(plan, store, now, false), Results.MAX_RESULT_BYTES);
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
}
