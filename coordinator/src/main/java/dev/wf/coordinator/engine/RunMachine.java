package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.message.StepReport;
import java.util.LinkedHashMap;
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
 *
 * <p>This class routes each input; a {@link Turn} applies it, with {@link Leaves} for what leaves
 * do and a {@link GroupBehaviour} per kind of group. Inputs that change nothing come back as a
 * typed {@link Rejection}: the shell acts on the type and logs the reason.
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
    Turn t = new Turn(plan, store, config, now);
    if (input instanceof Input.StartRun start) {
      return start(t, start);
    }
    RunInfo run = t.run();
    if (input instanceof Input.Signal signal && (run == null || run.ended())) {
      String why = run == null ? "no run " + signal.runId() : "the run has ended";
      Approvals.refuse(t, signal, null, why);
      return t.ignored(run == null ? Rejection.Type.UNKNOWN_RUN : Rejection.Type.ENDED, why);
    }
    if (run == null) {
      return t.ignored(Rejection.Type.UNKNOWN_RUN, "unknown run");
    }
    if (run.ended()) {
      if (input instanceof Input.Report r && r.report() instanceof StepReport.Started s) {
        t.leaves.cancelStale(s, "the run has ended");
      }
      return t.ignored(Rejection.Type.ENDED, "the run has ended");
    }
    Optional<Rejection> ignored;
    if (input instanceof Input.CancelRun c) {
      ignored = cancelRun(t, c.reason());
    } else if (input instanceof Input.Report r) {
      ignored = t.leaves.report(r.report());
    } else if (input instanceof Input.TimerFired f) {
      ignored = timer(t, f.timerId());
    } else if (input instanceof Input.KeyAnswer answer) {
      ignored = t.keyAnswer(answer);
    } else if (input instanceof Input.Signal signal) {
      ignored = Approvals.signal(t, signal);
    } else if (input instanceof Input.AttemptLost l) {
      ignored = t.leaves.attemptLost(l.dispatchId(), l.reason());
    } else {
      throw new IllegalArgumentException("unknown input " + input);
    }
    return t.outcome(ignored);
  }

  private static Outcome start(Turn t, Input.StartRun start) {
    if (t.run() != null) {
      return t.ignored(Rejection.Type.DUPLICATE, "run " + start.runId() + " exists");
    }
    Plan.Node root = t.plan.root();
    RunInfo run = new RunInfo(start.runId(), root.name(), t.now);
    Map<String, JsonNode> inputs = new LinkedHashMap<>(t.plan.workflow().inputs());
    inputs.putAll(start.inputs());
    t.store.putData(Variables.INPUTS, Json.tree(inputs));
    if (start.rerun() != null) {
      run.rerunOf = start.rerun().of();
      Reruns.keep(t.store, start.rerun());
    }
    t.begin(run);
    t.emit(t.event(EventType.WORKFLOW_START, root));
    t.plan
        .workflow()
        .timeout()
        .ifPresent(d -> t.command(new Command.SetTimer(Timers.RUN_TIMEOUT, t.now + d.toMillis())));
    t.startStep(root);
    return t.outcome(Optional.empty());
  }

  private static Optional<Rejection> cancelRun(Turn t, String reason) {
    RunInfo run = t.run();
    if (run.cancelRequested) {
      return Optional.of(new Rejection(Rejection.Type.DUPLICATE, "cancel already requested"));
    }
    run.cancelRequested = true;
    run.cancelReason = reason == null || reason.isBlank() ? "cancelled" : reason;
    t.cancel(t.plan.root(), "run cancelled: " + run.cancelReason);
    return Optional.empty();
  }

  private static Optional<Rejection> timer(Turn t, String timerId) {
    Timers.Parsed timer = Timers.parse(timerId);
    if (timer == null) {
      return Optional.of(Rejection.stale("unknown timer " + timerId));
    }
    switch (timer.kind()) {
      case RUN -> {
        if (t.run().timedOut) {
          return Optional.of(Rejection.stale("the run has already timed out"));
        }
        t.runTimedOut();
        return Optional.empty();
      }
      case DEADLINE -> {
        return t.leaves.deadline(timer.path(), timerId);
      }
      case APPROVAL -> {
        return Approvals.timedOut(t, timer.path(), timerId);
      }
      case START, GUARD, SETTLE -> {
        return t.leaves.timer(timer, timerId);
      }
      default -> {
        // a group's backoff, below
      }
    }
    Plan.Node node = t.plan.node(timer.path()).orElse(null);
    StepState g = node == null ? null : t.store.step(timer.path());
    if (g == null || g.phase != Phase.BACKOFF || g.iteration != timer.number()) {
      return Optional.of(Rejection.stale("stale timer " + timerId));
    }
    GroupBehaviour.of(node).retry(t, node, g);
    return Optional.empty();
  }

  /** The dispatch id is {@code <n>:<path>}: unique per run, and it names its step. */
  public static String pathOf(String dispatchId) {
    int colon = dispatchId == null ? -1 : dispatchId.indexOf(':');
    return colon < 0 ? "" : dispatchId.substring(colon + 1);
  }
}
