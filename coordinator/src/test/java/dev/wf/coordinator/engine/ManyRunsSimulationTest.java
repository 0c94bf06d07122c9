package dev.wf.coordinator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.coordinator.engine.WorkflowShapes.Shape;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.DispatchRef;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The same workflow run many times at once on a few shared agents, as users do (one release per
 * service). Every run's dispatches go to one pool queue read by all agents; an agent keeps what it
 * runs by run and dispatch id, as the real one does, and sees some dispatches twice (a redelivery
 * after a rebalance). Reports go back to the run they name. Whatever the interleaving: every run
 * ends exactly once, no agent runs one dispatch twice, idempotency keys are never shared between
 * runs, and when the runs succeed they all end step for step alike.
 */
class ManyRunsSimulationTest {

  @Provide
  Arbitrary<Shape> workflows() {
    return WorkflowShapes.workflows();
  }

  @Provide
  Arbitrary<List<Integer>> interleavings() {
    return Arbitraries.integers().between(0, 999_999).list().ofMaxSize(800);
  }

  @Property(tries = 300)
  void everyRunOfOneWorkflowEndsWithItsOwnStepsWhenRunsShareAgents(
      @ForAll("workflows") Shape workflow,
      @ForAll @IntRange(min = 2, max = 8) int runs,
      @ForAll @IntRange(min = 1, max = 3) int agents,
      @ForAll("interleavings") List<Integer> choices,
      @ForAll boolean fanOut) {
    new Pool(WorkflowShapes.toJson(workflow, fanOut), runs, agents, choices).runAll().check();
  }

  /** The runs, the pool's queue and the agents. */
  private static final class Pool {
    private final String definition;
    private final Plan plan;
    private final RunMachine machine = new RunMachine(MachineConfig.DEFAULT);
    private final Map<String, InMemoryRunStore> stores = new LinkedHashMap<>();
    private final Map<String, WorkflowResult> results = new HashMap<>();
    private final Map<String, Map<String, Long>> timers = new HashMap<>();
    private final Deque<Dispatch> queue = new ArrayDeque<>();
    private final List<Map<DispatchRef, Dispatch>> running = new ArrayList<>();
    private final List<Set<DispatchRef>> ended = new ArrayList<>();
    private final Map<String, Integer> ranTimes = new HashMap<>();
    private final Map<String, String> keyOwner = new HashMap<>();
    private final List<Integer> choices;
    private int next;
    private long now = 1_000_000;

    Pool(String definition, int runs, int agents, List<Integer> choices) {
      this.definition = definition;
      this.plan =
          Plan.of(
              WorkflowValidator.validate(DefinitionReader.parse(definition, true).tree())
                  .workflow()
                  .orElseThrow());
      this.choices = choices;
      for (int i = 0; i < agents; i++) {
        running.add(new LinkedHashMap<>());
        ended.add(new HashSet<>());
      }
      for (int i = 0; i < runs; i++) {
        String runId = "run-" + i;
        stores.put(runId, new InMemoryRunStore());
        timers.put(runId, new TreeMap<>());
        apply(runId, new Input.StartRun(runId, Map.of()));
      }
    }

    private int choose(int n) {
      int c = next < choices.size() ? choices.get(next++) : 0;
      return Math.floorMod(c, n);
    }

    private void apply(String runId, Input input) {
      Outcome o = machine.apply(plan, stores.get(runId), input, now);
      for (Command c : o.commands()) {
        if (c instanceof Command.DispatchStep d) {
          Dispatch dispatch = d.dispatch();
          assertThat(dispatch.runId()).as("run of a dispatch of " + runId).isEqualTo(runId);
          String owner = keyOwner.putIfAbsent(dispatch.idempotencyKey(), runId);
          assertThat(owner == null || owner.equals(runId))
              .as("idempotency key " + dispatch.idempotencyKey() + " shared by two runs")
              .isTrue();
          queue.add(dispatch);
          if (choose(5) == 0) {
            queue.add(dispatch); // delivered twice
          }
        } else if (c instanceof Command.CancelAttempt ca) {
          assertThat(ca.runId()).as("run of a cancel of " + runId).isEqualTo(runId);
        } else if (c instanceof Command.SetTimer t) {
          timers.get(runId).put(t.timerId(), t.dueAt());
        } else if (c instanceof Command.ClearTimer t) {
          timers.get(runId).remove(t.timerId());
        } else if (c instanceof Command.PublishResult p) {
          assertThat(results.put(runId, p.result())).as("second result of " + runId).isNull();
          assertThat(p.result().runId()).isEqualTo(runId);
        }
      }
    }

    Pool runAll() {
      int bound = 200 * stores.size() * Math.max(1, plan.size());
      for (int moves = 0; results.size() < stores.size(); moves++) {
        assertThat(moves).as("moves before every run ended\n" + definition).isLessThan(bound);
        List<Integer> able = new ArrayList<>();
        for (int a = 0; a < running.size(); a++) {
          if (!queue.isEmpty() || !running.get(a).isEmpty()) {
            able.add(a);
          }
        }
        if (able.isEmpty()) {
          fireEarliestTimer();
          continue;
        }
        int agent = able.get(choose(able.size()));
        Map<DispatchRef, Dispatch> mine = running.get(agent);
        if (!queue.isEmpty() && (mine.isEmpty() || choose(2) == 0)) {
          take(agent, queue.poll());
        } else {
          finish(agent, new ArrayList<>(mine.values()).get(choose(mine.size())));
        }
      }
      return this;
    }

    /** What the real agent does with a dispatch from its pool. */
    private void take(int agent, Dispatch d) {
      DispatchRef ref = new DispatchRef(d.runId(), d.dispatchId());
      if (running.get(agent).containsKey(ref) || ended.get(agent).contains(ref)) {
        return; // the very same dispatch again: ignored
      }
      running.get(agent).put(ref, d);
      ranTimes.merge("agent-" + agent + " " + ref, 1, Integer::sum);
      apply(
          d.runId(),
          new Input.Report(
              new StepReport.Started(
                  d.runId(), d.dispatchId(), d.attempt(), "agent-" + agent, now)));
    }

    private void finish(int agent, Dispatch d) {
      DispatchRef ref = new DispatchRef(d.runId(), d.dispatchId());
      running.get(agent).remove(ref);
      ended.get(agent).add(ref);
      now += 1 + choose(50);
      apply(
          d.runId(),
          new Input.Report(
              new StepReport.Finished(
                  d.runId(),
                  d.dispatchId(),
                  d.attempt(),
                  "agent-" + agent,
                  now,
                  AttemptStatus.SUCCESS,
                  null,
                  null)));
    }

    private void fireEarliestTimer() {
      String run = null;
      String timer = null;
      long due = Long.MAX_VALUE;
      for (var e : timers.entrySet()) {
        for (var t : e.getValue().entrySet()) {
          if (t.getValue() < due) {
            run = e.getKey();
            timer = t.getKey();
            due = t.getValue();
          }
        }
      }
      assertThat(run)
          .as("runs not ended " + stores.keySet() + " but nothing in flight\n" + definition)
          .isNotNull();
      assertThat(timer)
          .as(
              "timer fired in %s: a dispatch was never started or never finished though every"
                  + " agent takes and finishes all it gets\n%s",
              run, definition)
          .doesNotStartWith("start|")
          .doesNotStartWith("guard|");
      timers.get(run).remove(timer);
      now = Math.max(now, due);
      apply(run, new Input.TimerFired(timer));
    }

    private static boolean allWent(WorkflowResult r) {
      return r.steps().stream()
          .allMatch(s -> s.status() == StepStatus.SUCCESS || s.status() == StepStatus.SKIPPED);
    }

    void check() {
      ranTimes.forEach(
          (ref, n) -> assertThat(n).as("times " + ref + " ran (agent, dispatch)").isEqualTo(1));
      WorkflowResult first = results.get("run-0");
      for (WorkflowResult r : results.values()) {
        Set<String> paths = new HashSet<>();
        for (StepResult s : r.steps()) {
          assertThat(paths.add(s.path())).as("step listed twice in " + r.runId()).isTrue();
        }
        if (!allWent(r) || !allWent(first)) {
          continue; // a condition failed: which siblings it cancelled depends on the timing
        }
        // every agent succeeded everything: each run ends as the first one did, step for step
        assertThat(r.steps())
            .extracting(s -> s.path() + "=" + s.status())
            .as("steps of " + r.runId())
            .containsExactlyInAnyOrderElementsOf(
                first.steps().stream().map(s -> s.path() + "=" + s.status()).toList());
      }
    }
  }
}
