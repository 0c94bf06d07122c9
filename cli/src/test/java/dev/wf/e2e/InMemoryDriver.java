package dev.wf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.agent.action.ActionRunner;
import dev.wf.agent.action.AttemptLoop;
import dev.wf.agent.action.AttemptOutcome;
import dev.wf.agent.action.Cancellation;
import dev.wf.coordinator.engine.Command;
import dev.wf.coordinator.engine.InMemoryRunStore;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Outcome;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test fixture, not a product path: runs the state machine in memory with the agent's real action
 * code (real {@code sh} processes) on threads, and real time for timers.
 */
final class InMemoryDriver implements AutoCloseable {
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final AttemptLoop loop = new AttemptLoop(new ActionRunner(Set.of(), 2000));
  private final Path workdir;
  private final List<WorkflowEvent> events = new ArrayList<>();

  InMemoryDriver(Path workdir) {
    this.workdir = workdir;
  }

  List<WorkflowEvent> events() {
    return events;
  }

  WorkflowResult run(JsonNode definition, Map<String, JsonNode> inputs, Duration timeout)
      throws InterruptedException {
    Plan plan = Plan.of(WorkflowValidator.validate(definition).workflow().orElseThrow());
    InMemoryRunStore store = new InMemoryRunStore();
    RunMachine machine = new RunMachine();
    LinkedBlockingQueue<Input> inbox = new LinkedBlockingQueue<>();
    Map<String, Long> timers = new HashMap<>();
    Map<String, Cancellation> running = new HashMap<>();
    inbox.add(new Input.StartRun("mem-1", inputs));
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      long nextTimer = timers.values().stream().min(Long::compare).orElse(Long.MAX_VALUE);
      long wait = Math.max(0, Math.min(nextTimer, deadline) - System.currentTimeMillis());
      Input in = inbox.poll(wait, TimeUnit.MILLISECONDS);
      long now = System.currentTimeMillis();
      List<Input> due = new ArrayList<>();
      if (in != null) {
        due.add(in);
      }
      timers
          .entrySet()
          .removeIf(
              e -> {
                if (e.getValue() <= now) {
                  due.add(new Input.TimerFired(e.getKey()));
                  return true;
                }
                return false;
              });
      for (Input input : due) {
        Outcome o = machine.apply(plan, store, input, System.currentTimeMillis());
        for (Command c : o.commands()) {
          if (c instanceof Command.DispatchStep d) {
            Cancellation cancel = new Cancellation();
            running.put(d.dispatch().dispatchId(), cancel);
            pool.submit(() -> execute(d.dispatch(), cancel, inbox));
          } else if (c instanceof Command.CancelAttempt ca) {
            Cancellation cancel = running.get(ca.dispatchId());
            if (cancel != null) {
              cancel.cancel(ca.reason());
            }
          } else if (c instanceof Command.SetTimer t) {
            timers.put(t.timerId(), t.dueAt());
          } else if (c instanceof Command.ClearTimer t) {
            timers.remove(t.timerId());
          } else if (c instanceof Command.Emit e) {
            events.add(e.event());
          } else if (c instanceof Command.PublishResult p) {
            return p.result();
          }
        }
      }
    }
    throw new AssertionError("the run did not end within " + timeout);
  }

  private Void execute(Dispatch d, Cancellation cancel, LinkedBlockingQueue<Input> inbox)
      throws InterruptedException {
    String agent = "mem-agent";
    loop.run(
        d,
        workdir,
        cancel,
        new AttemptLoop.Reports() {
          @Override
          public void started(int attempt) {
            inbox.add(
                new Input.Report(
                    new StepReport.Started(
                        d.runId(), d.dispatchId(), attempt, agent, System.currentTimeMillis())));
          }

          @Override
          public void retrying(int attempt, AttemptOutcome failed, long delayMs) {
            inbox.add(
                new Input.Report(
                    new StepReport.Retrying(
                        d.runId(),
                        d.dispatchId(),
                        attempt,
                        agent,
                        System.currentTimeMillis(),
                        failed.error(),
                        failed.status() == dev.wf.protocol.result.AttemptStatus.TIMEOUT,
                        delayMs)));
          }

          @Override
          public void finished(int attempt, AttemptOutcome o) {
            inbox.add(
                new Input.Report(
                    new StepReport.Finished(
                        d.runId(),
                        d.dispatchId(),
                        attempt,
                        agent,
                        System.currentTimeMillis(),
                        o.status(),
                        o.result(),
                        o.error())));
          }
        });
    return null;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
