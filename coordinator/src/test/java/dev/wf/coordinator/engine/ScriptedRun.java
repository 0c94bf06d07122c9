package dev.wf.coordinator.engine;

import dev.wf.coordinator.engine.ReferenceModel.Try;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives the real machine through one run whose agents follow a script: each leaf's tries succeed,
 * fail or time out as {@link ReferenceModel} is told. The agents behave as the real ones do: they
 * run tries {@code attempt..maxAttempts} of a dispatch as the dispatch says, report a retry after
 * each failed try but the last, and confirm a cancel at once.
 *
 * <p>The order is the reference model's: the dispatch played next is always the one whose step
 * comes first in the tree, played to its end before any other, and a group waiting to run again has
 * its timer fired before anything after it is played. So the children of a parallel group run one
 * after another, as in the model. Nothing else takes time: no agent is lost, and no start or report
 * timeout can fire.
 */
final class ScriptedRun {
  static final String RUN = "run-ref";

  /** The published result, and every input given to the machine, for a failure message. */
  record Transcript(WorkflowResult result, List<String> inputs) {}

  /** The agent playing one dispatch. */
  private static final class Agent {
    final Dispatch dispatch;
    int attempt;
    boolean running;
    boolean cancelAsked;

    Agent(Dispatch dispatch) {
      this.dispatch = dispatch;
      this.attempt = dispatch.attempt();
    }
  }

  private final Plan plan;
  private final RunMachine machine =
      new RunMachine(
          new MachineConfig(3, Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofDays(1)));
  private final InMemoryRunStore store = new InMemoryRunStore();
  private final Map<String, Integer> treeOrder = new HashMap<>();
  private final Map<String, Deque<Try>> scripts = new HashMap<>();
  private final Map<String, Integer> triesSoFar = new HashMap<>();
  private final Map<String, Agent> live = new LinkedHashMap<>();
  private final DueTimers timers = new DueTimers();
  private final List<String> log = new ArrayList<>();
  private long now = 1_000_000;
  private WorkflowResult result;

  private ScriptedRun(String definition, Map<String, List<Try>> scripts) {
    WorkflowValidator.Validation v =
        WorkflowValidator.validate(DefinitionReader.parse(definition, true).tree());
    if (!v.errors().isEmpty()) {
      throw new IllegalArgumentException("invalid workflow: " + v.errors() + "\n" + definition);
    }
    this.plan = Plan.of(v.workflow().orElseThrow());
    treeOrder.put(plan.root().path(), 0);
    Plan.forEachDescendant(plan.root(), n -> treeOrder.put(n.path(), treeOrder.size()));
    scripts.forEach((name, tries) -> this.scripts.put(name, new ArrayDeque<>(tries)));
  }

  /** Runs {@code definition} (JSON or YAML) to its end with agents that follow {@code scripts}. */
  static Transcript run(String definition, Map<String, List<Try>> scripts) {
    return new ScriptedRun(definition, scripts).run();
  }

  private Transcript run() {
    apply("start", new Input.StartRun(RUN, Map.of()));
    int bound = 50 * plan.size() + 100;
    while (result == null) {
      if (log.size() > bound) {
        throw new AssertionError("the run did not end within " + bound + " inputs\n" + log());
      }
      step();
    }
    return new Transcript(result, List.copyOf(log));
  }

  private void step() {
    Agent cancelled = live.values().stream().filter(a -> a.cancelAsked).findFirst().orElse(null);
    if (cancelled != null && cancelled.running) {
      finish(cancelled, AttemptStatus.CANCELLED, "cancelled on request");
      return;
    }
    if (cancelled != null) {
      // Not started yet: the agent drops it, and the machine's own grace ends the step.
      live.remove(cancelled.dispatch.dispatchId());
      log.add(cancelled.dispatch.step() + " dropped by its agent, cancelled before it started");
      return;
    }
    // Only the group that failed last can be waiting to run again (what comes after it in the tree
    // is untouched), and its backoff is the earliest timer: start timeouts are a day away.
    boolean groupWaitsToRunAgain = anyStepIn(Phase.BACKOFF);
    Agent first =
        live.values().stream()
            .min(Comparator.comparing(a -> treeOrder.get(a.dispatch.path())))
            .orElse(null);
    if (first != null && !groupWaitsToRunAgain) {
      play(first);
    } else if (!timers.isEmpty()) {
      fireNextTimer();
    } else {
      throw new AssertionError("the run is stuck: nothing in flight, no timer set\n" + log());
    }
  }

  private boolean anyStepIn(Phase phase) {
    boolean[] found = {false};
    store.forEachStep(s -> found[0] |= s.phase() == phase);
    return found[0];
  }

  /** One report from the agent of {@code a}: a try starts, or the running try ends. */
  private void play(Agent a) {
    now += 10;
    String id = a.dispatch.dispatchId();
    if (!a.running) {
      a.running = true;
      apply(
          a.dispatch.step() + " try " + a.attempt + " starts",
          new Input.Report(new StepReport.Started(RUN, id, a.attempt, agentOf(a), now)));
      return;
    }
    String leaf = a.dispatch.step();
    Try next = scripts.getOrDefault(leaf, new ArrayDeque<>()).poll();
    int n = triesSoFar.merge(leaf, 1, Integer::sum);
    if (next == null || next == Try.SUCCEED) {
      apply(
          leaf + " try " + a.attempt + " succeeds",
          new Input.Report(
              new StepReport.Finished(
                  RUN,
                  id,
                  a.attempt,
                  agentOf(a),
                  now,
                  AttemptStatus.SUCCESS,
                  ReferenceModel.result(leaf, n),
                  null)));
      return;
    }
    boolean timedOut = next == Try.TIME_OUT;
    String error = timedOut ? "timed out after 10s" : "exit 1: boom";
    if (a.attempt < a.dispatch.maxAttempts()) {
      a.running = false;
      apply(
          leaf + " try " + a.attempt + (timedOut ? " times out" : " fails") + ", retrying",
          new Input.Report(
              new StepReport.Retrying(
                  RUN, id, a.attempt, agentOf(a), now, error, timedOut, 1000L << (a.attempt - 1))));
      a.attempt++;
      return;
    }
    finish(a, timedOut ? AttemptStatus.TIMEOUT : AttemptStatus.FAILED, error);
  }

  private void finish(Agent a, AttemptStatus outcome, String error) {
    now += 10;
    apply(
        a.dispatch.step() + " try " + a.attempt + " ends " + outcome.word(),
        new Input.Report(
            new StepReport.Finished(
                RUN, a.dispatch.dispatchId(), a.attempt, agentOf(a), now, outcome, null, error)));
  }

  private static String agentOf(Agent a) {
    return "agent-of-" + a.dispatch.step();
  }

  private void fireNextTimer() {
    DueTimers.Due next = timers.takeEarliest();
    now = Math.max(now, next.at());
    apply("timer " + next.id() + " fires", new Input.TimerFired(next.id()));
  }

  private void apply(String label, Input input) {
    Outcome o = machine.apply(plan, store, input, now);
    log.add(label + o.ignored().map(r -> "  (ignored: " + r + ")").orElse(""));
    for (Command c : o.commands()) {
      timers.track(c);
      if (c instanceof Command.DispatchStep d) {
        live.put(d.dispatch().dispatchId(), new Agent(d.dispatch()));
      } else if (c instanceof Command.CancelAttempt ca) {
        Agent a = live.get(ca.dispatchId());
        if (a != null) {
          a.cancelAsked = true;
        }
      } else if (c instanceof Command.PublishResult p) {
        result = p.result();
      }
    }
    // A dispatch whose step ended or was dispatched anew is no longer played.
    live.values()
        .removeIf(
            a -> {
              StepState s = store.step(a.dispatch.path());
              return s == null || s.ended() || !a.dispatch.dispatchId().equals(s.dispatchId());
            });
  }

  private String log() {
    StringBuilder b = new StringBuilder("inputs:\n");
    for (int i = 0; i < log.size(); i++) {
      b.append(String.format("%4d  %s%n", i, log.get(i)));
    }
    return b.toString();
  }
}
