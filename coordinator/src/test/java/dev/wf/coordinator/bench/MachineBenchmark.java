package dev.wf.coordinator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Command;
import dev.wf.coordinator.engine.InMemoryRunStore;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Outcome;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Events applied per second by the pure {@link RunMachine}, on an {@link InMemoryRunStore}.
 *
 * <p>Each invocation plays one whole run from a fresh store: the {@code StartRun}, then for every
 * leaf a {@code Started} and a {@code Finished(success)} report, in dispatch order. The inputs are
 * recorded once per trial (dispatch ids are deterministic: {@code <n>:<path>}), so the measured
 * loop holds only {@code RunMachine.apply}. The score is per event ({@link OperationsPerInvocation}
 * = the number of inputs applied), so the cases compare directly: if the cost of an event grew with
 * the size of the run, {@code parallel10k} would score about ten times {@code parallel1k}.
 *
 * <p>The per-event figure is amortised over the run and so includes the two events whose cost is
 * O(size) by nature: the start of a parallel group (it dispatches every leaf) and the last report
 * (it builds and serialises the run's {@link WorkflowResult}).
 *
 * <p>Run: {@code bench/machine.sh} from the repository root (it builds, then calls {@link #main}).
 * Any JMH command-line option may be passed (e.g. {@code -f 1 -wi 2 -i 3 parallel10k}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class MachineBenchmark {
  static final String RUN = "run-bench";
  static final long T0 = 1_700_000_000_000L;

  /** Inputs applied per invocation: the start plus a Started and a Finished per leaf. */
  static final int PARALLEL_1K_EVENTS = 1 + 2 * 1_000;

  static final int PARALLEL_10K_EVENTS = 1 + 2 * 10_000;
  static final int SEQUENTIAL_100_EVENTS = 1 + 2 * 100;
  static final int SEQUENTIAL_1K_EVENTS = 1 + 2 * 1_000;

  private static final RunMachine MACHINE = new RunMachine();

  /** A plan and the inputs that drive one run of it to success, recorded once per trial. */
  public abstract static class Scenario {
    Plan plan;
    List<Input> inputs;

    abstract String type();

    abstract int leaves();

    @Setup(Level.Trial)
    public void record() {
      plan = planOf(type(), leaves());
      inputs = recordRun(plan, leaves());
    }
  }

  /** Scenario (1): a parallel group of 1,000 leaves. */
  @State(Scope.Benchmark)
  public static class Parallel1k extends Scenario {
    @Override
    String type() {
      return "parallel";
    }

    @Override
    int leaves() {
      return 1_000;
    }
  }

  /** Scenario (3): a parallel group of 10,000 leaves, to see the per-event cost stays flat. */
  @State(Scope.Benchmark)
  public static class Parallel10k extends Scenario {
    @Override
    String type() {
      return "parallel";
    }

    @Override
    int leaves() {
      return 10_000;
    }
  }

  /** Scenario (2): a sequential chain of 100 steps. */
  @State(Scope.Benchmark)
  public static class Sequential100 extends Scenario {
    @Override
    String type() {
      return "sequential";
    }

    @Override
    int leaves() {
      return 100;
    }
  }

  /** A sequential chain of 1,000 steps: the flatness check for chains. */
  @State(Scope.Benchmark)
  public static class Sequential1k extends Scenario {
    @Override
    String type() {
      return "sequential";
    }

    @Override
    int leaves() {
      return 1_000;
    }
  }

  @Benchmark
  @OperationsPerInvocation(PARALLEL_1K_EVENTS)
  public Outcome parallel1k(Parallel1k s, Blackhole bh) {
    return replay(s, bh);
  }

  @Benchmark
  @OperationsPerInvocation(PARALLEL_10K_EVENTS)
  public Outcome parallel10k(Parallel10k s, Blackhole bh) {
    return replay(s, bh);
  }

  @Benchmark
  @OperationsPerInvocation(SEQUENTIAL_100_EVENTS)
  public Outcome sequential100(Sequential100 s, Blackhole bh) {
    return replay(s, bh);
  }

  @Benchmark
  @OperationsPerInvocation(SEQUENTIAL_1K_EVENTS)
  public Outcome sequential1k(Sequential1k s, Blackhole bh) {
    return replay(s, bh);
  }

  /** Applies every recorded input of the scenario to a fresh store; returns the last outcome. */
  static Outcome replay(Scenario s, Blackhole bh) {
    InMemoryRunStore store = new InMemoryRunStore();
    Outcome last = null;
    long now = T0;
    for (Input input : s.inputs) {
      last = MACHINE.apply(s.plan, store, input, now++);
      bh.consume(last);
    }
    return last;
  }

  // ---- building the scenarios -------------------------------------------------------------

  /** A root group of {@code type} with {@code leaves} noop leaves, as validated JSON text. */
  static Plan planOf(String type, int leaves) {
    StringBuilder json = new StringBuilder(64 + 48 * leaves);
    json.append("{\"name\":\"Root\",\"type\":\"").append(type).append("\",\"steps\":[");
    for (int i = 0; i < leaves; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append("{\"name\":\"L").append(i).append("\",\"action\":{\"kind\":\"noop\"}}");
    }
    json.append("]}");
    DefinitionReader.Result read = DefinitionReader.parse(json.toString(), true);
    if (!read.ok()) {
      throw new IllegalStateException("definition not read: " + read.problems());
    }
    WorkflowValidator.Validation v = WorkflowValidator.validate(read.tree());
    if (!v.errors().isEmpty()) {
      throw new IllegalStateException("definition errors: " + v.errors());
    }
    return Plan.of(v.workflow().orElseThrow());
  }

  /**
   * Plays the run once, as the agents would (each dispatch started then finished with success, in
   * dispatch order), and returns the inputs it took. Checks that no input was ignored, that the run
   * ended with success after the last one, and that it took {@code 1 + 2 * leaves} inputs.
   */
  static List<Input> recordRun(Plan plan, int leaves) {
    JsonNode ok = Json.MAPPER.createObjectNode().put("ok", true);
    InMemoryRunStore store = new InMemoryRunStore();
    List<Input> inputs = new ArrayList<>();
    Deque<Dispatch> pending = new ArrayDeque<>();
    long now = T0;
    WorkflowResult result = null;
    inputs.add(new Input.StartRun(RUN, Map.of()));
    result = applyRecorded(plan, store, inputs.get(0), now++, pending, result);
    while (!pending.isEmpty()) {
      Dispatch d = pending.poll();
      Input started =
          new Input.Report(new StepReport.Started(RUN, d.dispatchId(), 1, "agent-a", now));
      inputs.add(started);
      result = applyRecorded(plan, store, started, now++, pending, result);
      Input finished =
          new Input.Report(
              new StepReport.Finished(
                  RUN, d.dispatchId(), 1, "agent-a", now, AttemptStatus.SUCCESS, ok, null));
      inputs.add(finished);
      result = applyRecorded(plan, store, finished, now++, pending, result);
    }
    if (result == null || !result.success() || result.status() != RunStatus.SUCCESS) {
      throw new IllegalStateException("the run did not end with success: " + result);
    }
    if (result.steps().size() != leaves + 1) {
      throw new IllegalStateException("expected " + (leaves + 1) + " step results");
    }
    if (inputs.size() != 1 + 2 * leaves) {
      throw new IllegalStateException("expected " + (1 + 2 * leaves) + " inputs: " + inputs.size());
    }
    return List.copyOf(inputs);
  }

  private static WorkflowResult applyRecorded(
      Plan plan,
      InMemoryRunStore store,
      Input input,
      long now,
      Deque<Dispatch> pending,
      WorkflowResult result) {
    Outcome o = MACHINE.apply(plan, store, input, now);
    if (o.ignored().isPresent()) {
      throw new IllegalStateException("input ignored: " + o.ignored().get() + " for " + input);
    }
    for (Command c : o.commands()) {
      if (c instanceof Command.DispatchStep d) {
        pending.add(d.dispatch());
      } else if (c instanceof Command.PublishResult p) {
        if (result != null) {
          throw new IllegalStateException("result published twice");
        }
        result = p.result();
      }
    }
    return result;
  }

  // ---- running ----------------------------------------------------------------------------

  /**
   * Runs the benchmarks of this class with the settings of the annotations (fork 1, warmup 2 x 2 s,
   * measurement 3 x 2 s); JMH command-line options override them, and a benchmark name regex
   * selects cases. Prints events per second for each case after JMH's own table.
   */
  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include(MachineBenchmark.class.getName() + "\\.");
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    System.out.println();
    System.out.println("Per event (AverageTime with @OperationsPerInvocation = inputs per run):");
    System.out.printf("%-16s %12s %12s %16s%n", "case", "ns/event", "+-", "events/s");
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      name = name.substring(name.lastIndexOf('.') + 1);
      double ns = r.getPrimaryResult().getScore();
      double err = r.getPrimaryResult().getScoreError();
      String unit = r.getPrimaryResult().getScoreUnit();
      if (!"ns/op".equals(unit)) {
        System.out.printf("%-16s %12.1f %12.1f %16s (%s)%n", name, ns, err, "-", unit);
        continue;
      }
      System.out.printf("%-16s %12.1f %12.1f %,16.0f%n", name, ns, err, 1e9 / ns);
    }
  }
}
