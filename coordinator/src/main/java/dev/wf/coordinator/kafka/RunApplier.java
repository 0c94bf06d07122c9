package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.Command;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Outcome;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Rejection;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.KeyRequest;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one input to one run: the machine decides from the run's stored state, the state it
 * changed is written back, then its commands are carried out (side effects after the state write).
 */
final class RunApplier {
  /** The shell's own timer: forget an ended run once its retention has passed. */
  static final String PURGE = "purge";

  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final RunMachine machine;
  private final Keyspace state;
  private final Plans plans;
  private final RunTimers timers;
  private final Outbox out;
  private final CoordinatorMetrics metrics;
  private final Duration retention;

  RunApplier(
      RunMachine machine,
      Keyspace state,
      Plans plans,
      RunTimers timers,
      Outbox out,
      CoordinatorMetrics metrics,
      Duration retention) {
    this.machine = machine;
    this.state = state;
    this.plans = plans;
    this.timers = timers;
    this.out = out;
    this.metrics = metrics;
    this.retention = retention;
  }

  /** Applies {@code input} to the run and carries out the commands; returns why it was refused. */
  Optional<Rejection> apply(String runId, Plan plan, Input input) {
    StoreRunView view = new StoreRunView(runId, state);
    Outcome outcome;
    try {
      outcome = machine.apply(plan, view, input, out.now());
    } catch (RuntimeException e) {
      // A bug in the machine must not stop every other run: nothing of this input is stored.
      LOG.error("run {}: internal error applying {}: {}", runId, input, e.toString(), e);
      metrics.internalError();
      return Optional.empty();
    }
    view.flush();
    outcome
        .ignored()
        .ifPresent(
            why -> {
              if (why.type() == Rejection.Type.STALE) {
                LOG.info("run {}: {}", runId, why.reason());
              } else {
                LOG.debug("run {}: ignored {}: {}", runId, input.getClass().getSimpleName(), why);
              }
            });
    for (Command c : outcome.commands()) {
      carryOut(runId, c);
    }
    return outcome.ignored();
  }

  private void carryOut(String runId, Command c) {
    if (c instanceof Command.DispatchStep d) {
      out.dispatch(runId, d.dispatch());
    } else if (c instanceof Command.Emit e) {
      out.event(runId, e.event());
    } else if (c instanceof Command.CancelAttempt ca) {
      if (ca.agent() != null) {
        out.cancel(AgentControl.cancel(ca.agent(), ca.runId(), ca.dispatchId(), ca.reason()));
      }
    } else if (c instanceof Command.SetTimer t) {
      timers.set(runId, t.timerId(), t.dueAt());
    } else if (c instanceof Command.ClearTimer t) {
      timers.clear(runId, t.timerId());
    } else if (c instanceof Command.Acquire a) {
      out.key(new KeyRequest(KeyRequest.ACQUIRE, a.key(), a.runId(), a.path(), a.onBusy().word()));
    } else if (c instanceof Command.Release r) {
      out.key(new KeyRequest(KeyRequest.RELEASE, r.key(), r.runId(), r.path(), null));
    } else if (c instanceof Command.PublishResult p) {
      WorkflowResult r = p.result();
      out.result(runId, r);
      plans.ended(runId);
      timers.set(runId, PURGE, out.now() + retention.toMillis());
      LOG.info(
          "run {} ended {} in {} ms ({} steps, {} errors)",
          runId,
          r.status().word(),
          r.duration(),
          r.steps().size(),
          r.errors().size());
    }
  }

  /** The run's state as the store holds it, to read. */
  RunStore view(String runId) {
    return new StoreRunView(runId, state);
  }

  /** Deletes what the store holds of an ended run; its result stays on the results topic. */
  void purge(String runId) {
    StoreRunView.purgeSteps(runId, state);
    state.runs.delete(runId);
    plans.purge(runId);
    LOG.info("run {}: state removed after the retention of {}", runId, retention);
  }
}
