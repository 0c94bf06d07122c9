package dev.wf.coordinator.bench;

import dev.wf.coordinator.engine.InMemoryRunStore;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Results;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the per-event time of {@link MachineBenchmark} goes, by run size: a plain {@code
 * System.nanoTime} harness (not JMH: rough figures, same JVM, warmed up by a first round that is
 * not printed). For each run it times the start event, the reports but the last, and the last
 * report apart; then, on the ended run's store, {@link Results#of} and {@link Json#tree} of the
 * result, the two parts of the last report's work that are O(size of the run).
 *
 * <p>A per-event cost that grew with the run would show as a {@code report} column growing in
 * proportion to the number of leaves. Arguments: leaf counts (at most 19,999: the validator's
 * 20,000-step limit); default 500 1000 2000 5000 10000 19000.
 */
public final class MachineBreakdown {
  private static final RunMachine MACHINE = new RunMachine();
  private static long sink;

  private MachineBreakdown() {}

  public static void main(String[] args) {
    List<Integer> sizes = new ArrayList<>();
    for (String a : args) {
      sizes.add(Integer.parseInt(a.replace("_", "")));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(500, 1_000, 2_000, 5_000, 10_000, 19_000);
    }
    for (String type : List.of("parallel", "sequential")) {
      for (int round = 0; round < 2; round++) {
        boolean print = round == 1;
        if (print) {
          System.out.printf(
              "%n%-10s %6s %10s %11s %14s %12s %12s %10s%n",
              type,
              "leaves",
              "start/leaf",
              "report",
              "last/leaf",
              "Results.of",
              "Json.tree",
              "all/event");
        }
        for (int n : sizes) {
          measure(type, n, print);
        }
      }
    }
    System.out.println();
    System.out.println(
        "ns; start/leaf = the StartRun event divided by the leaves it dispatches (parallel);"
            + " report = mean of every report but the last; last/leaf = the last report (it ends"
            + " the run) divided by the leaves; Results.of and Json.tree are per leaf, timed"
            + " apart on the ended run; all/event = the whole run divided by its events, as in"
            + " MachineBenchmark. (sink "
            + sink
            + ")");
  }

  private static void measure(String type, int leaves, boolean print) {
    Plan plan = MachineBenchmark.planOf(type, leaves);
    List<Input> inputs = MachineBenchmark.recordRun(plan, leaves);
    int reps = Math.max(10, 400_000 / leaves);
    long start = 0;
    long reports = 0;
    long last = 0;
    long results = 0;
    long tree = 0;
    for (int r = 0; r < reps; r++) {
      InMemoryRunStore store = new InMemoryRunStore();
      long now = MachineBenchmark.T0;
      long t0 = System.nanoTime();
      sink += MACHINE.apply(plan, store, inputs.get(0), now++).commands().size();
      long t1 = System.nanoTime();
      for (int i = 1; i < inputs.size() - 1; i++) {
        sink += MACHINE.apply(plan, store, inputs.get(i), now++).commands().size();
      }
      long t2 = System.nanoTime();
      sink += MACHINE.apply(plan, store, inputs.get(inputs.size() - 1), now++).commands().size();
      long t3 = System.nanoTime();
      WorkflowResult result = Results.of(plan, store, now, false);
      long t4 = System.nanoTime();
      sink += Json.tree(result).size();
      long t5 = System.nanoTime();
      if (r >= reps / 2) {
        start += t1 - t0;
        reports += t2 - t1;
        last += t3 - t2;
        results += t4 - t3;
        tree += t5 - t4;
      }
    }
    if (!print) {
      return;
    }
    double k = reps - reps / 2;
    System.out.printf(
        "%-10s %6d %10.0f %11.0f %14.0f %12.0f %12.0f %10.0f%n",
        "",
        leaves,
        start / k / leaves,
        reports / k / (inputs.size() - 2),
        last / k / leaves,
        results / k / leaves,
        tree / k / leaves,
        (start + reports + last) / k / inputs.size());
  }
}
