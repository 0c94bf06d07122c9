package dev.wf.coordinator.engine;

import dev.wf.coordinator.engine.ReferenceModel.Expected;
import dev.wf.coordinator.engine.ReferenceModel.Try;
import dev.wf.coordinator.engine.WorkflowShapes.Cond;
import dev.wf.coordinator.engine.WorkflowShapes.Shape;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * The machine against an independent statement of the rules: random workflow trees ({@link
 * WorkflowShapes}) and random scripts of what each leaf's tries do, run on the real machine by
 * {@link ScriptedRun} and by {@link ReferenceModel}; the published result must say what the model
 * says: the run's status, each listed step's status, retries, tries and result, and the errors.
 *
 * <p>Trees are first stripped of what the contract leaves to timing (see {@link #decided}). Seeds
 * are random on every build. On a failure jqwik reports the seed and the shrunk sample (in the
 * test's {@code -output.txt} under {@code target/surefire-reports}) and tries that sample first on
 * the next run; the assertion message gives the definition, the scripts, both outcomes and every
 * input given to the machine.
 */
class ReferenceModelPropertiesTest {

  @Provide
  Arbitrary<Shape> workflows() {
    return WorkflowShapes.workflows().map(s -> decided(s, false, false));
  }

  /** The tries of step {@code Sn} (or {@code Root} for n = 0), n the index in the list. */
  @Provide
  Arbitrary<List<List<Try>>> scripts() {
    Arbitrary<Try> tries =
        Arbitraries.frequency(
            Tuple.of(5, Try.SUCCEED), Tuple.of(4, Try.FAIL), Tuple.of(2, Try.TIME_OUT));
    return tries.list().ofMaxSize(4).list().ofMaxSize(90);
  }

  @Property(tries = 500)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void theMachineEndsEveryRunAsTheReferenceModelSays(
      @ForAll("workflows") Shape workflow, @ForAll("scripts") List<List<Try>> tries) {
    String definition = WorkflowShapes.toJson(workflow);
    Map<String, List<Try>> scripts = byStepName(tries);
    Expected expected =
        ReferenceModel.expect(DefinitionReader.parse(definition, true).tree(), scripts);
    ScriptedRun.Transcript run = ScriptedRun.run(definition, scripts);
    List<String> differences = differences(expected, run.result());
    if (!differences.isEmpty()) {
      throw new AssertionError(report(definition, scripts, differences, expected, run));
    }
    countCases(expected);
  }

  /**
   * Counts the runs where something went wrong, each in its own statistic; each must come up in a
   * few percent of the tries at least (each does in 10 to 30 percent), else the property would
   * mostly watch runs where nothing happens.
   */
  private static void countCases(Expected expected) {
    var steps = expected.steps().values();
    seen("the run failed", expected.status() == RunStatus.FAILED);
    seen("a step was cancelled", steps.stream().anyMatch(s -> s.status() == StepStatus.CANCELLED));
    seen("a step timed out", steps.stream().anyMatch(s -> s.status() == StepStatus.TIMEOUT));
    seen("a leaf used a retry", steps.stream().anyMatch(s -> s.leaf() && s.retries() > 0));
    seen(
        "a group ran again",
        steps.stream().anyMatch(s -> !s.leaf() && s.retries() != null && s.retries() > 0));
  }

  private static void seen(String label, boolean seen) {
    Statistics.label(label).collect(seen);
    Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p >= 3));
  }

  /**
   * {@code shape} without what the contract leaves to timing, which the model refuses (see {@link
   * ReferenceModel}): no condition that cannot be evaluated under a parallel group, and no
   * condition or template in a parallel group that reads a sibling.
   */
  static Shape decided(Shape shape, boolean inParallel, boolean underParallel) {
    Cond cond = shape.cond();
    if (cond == Cond.CANNOT_EVALUATE && underParallel
        || inParallel
            && (cond == Cond.SIBLING_SUCCEEDED || cond == Cond.FIRST_SIBLING_NOT_FAILED)) {
      cond = Cond.NONE;
    }
    List<Shape> children =
        shape.children().stream()
            .map(c -> decided(c, shape.parallel(), underParallel || shape.parallel()))
            .toList();
    return new Shape(
        shape.parallel(),
        children,
        shape.onError(),
        shape.retries(),
        shape.failFast(),
        cond,
        shape.template() && !inParallel);
  }

  private static Map<String, List<Try>> byStepName(List<List<Try>> tries) {
    Map<String, List<Try>> scripts = new TreeMap<>();
    for (int i = 0; i < tries.size(); i++) {
      if (!tries.get(i).isEmpty()) {
        scripts.put(i == 0 ? "Root" : "S" + i, tries.get(i));
      }
    }
    return scripts;
  }

  /** What the published result gets wrong against the model; empty when nothing. */
  static List<String> differences(Expected expected, WorkflowResult actual) {
    List<String> out = new ArrayList<>();
    if (actual.status() != expected.status() || actual.success() != expected.success()) {
      out.add(
          "run: expected "
              + expected.status().word()
              + " (success "
              + expected.success()
              + "), got "
              + actual.status().word()
              + " (success "
              + actual.success()
              + ")");
    }
    Map<String, StepResult> listed = new LinkedHashMap<>();
    for (StepResult s : actual.steps()) {
      if (listed.put(s.path(), s) != null) {
        out.add(s.path() + ": listed more than once");
      }
    }
    expected.steps().forEach((path, want) -> compare(want, listed.get(path), out));
    listed.keySet().stream()
        .filter(path -> !expected.steps().containsKey(path))
        .forEach(
            path -> out.add(path + ": listed " + line(listed.get(path)) + ", expected absent"));
    List<String> errorPaths = new ArrayList<>();
    for (ErrorEntry e : actual.errors()) {
      errorPaths.add(e.path());
      ReferenceModel.Step at = expected.steps().get(e.path());
      if (at != null && !at.name().equals(e.step())) {
        out.add("error at " + e.path() + " names " + e.step() + ", not " + at.name());
      }
    }
    if (!sorted(errorPaths).equals(sorted(expected.errors()))) {
      out.add("errors: expected at " + expected.errors() + ", got at " + errorPaths);
    }
    return out;
  }

  private static void compare(ReferenceModel.Step want, StepResult got, List<String> out) {
    String path = want.path();
    if (got == null) {
      out.add(path + ": expected " + line(want) + ", not listed");
      return;
    }
    List<AttemptStatus> tries = got.attempts().stream().map(a -> a.status()).toList();
    boolean same =
        want.name().equals(got.name())
            && want.status() == got.status()
            && (want.retries() == null || want.retries() == got.retries())
            && (want.attempts() == null || want.attempts().equals(tries))
            && (want.result() == null || want.result().equals(got.result()))
            && (!want.status().isFailure() || got.error() != null);
    if (!same) {
      out.add(path + ": expected " + line(want) + ", got " + line(got));
    }
  }

  private static String line(ReferenceModel.Step s) {
    return s.name()
        + " "
        + s.status().word()
        + " retries="
        + Objects.toString(s.retries(), "any")
        + " tries="
        + Objects.toString(s.attempts(), "any")
        + (s.result() == null ? "" : " result=" + s.result());
  }

  private static String line(StepResult s) {
    return s.name()
        + " "
        + s.status().word()
        + " retries="
        + s.retries()
        + " tries="
        + s.attempts().stream().map(a -> a.status()).toList()
        + (s.result() == null ? "" : " result=" + s.result())
        + (s.error() == null ? "" : " error=" + s.error());
  }

  private static List<String> sorted(List<String> paths) {
    return paths.stream().sorted().toList();
  }

  private static String report(
      String definition,
      Map<String, List<Try>> scripts,
      List<String> differences,
      Expected expected,
      ScriptedRun.Transcript run) {
    StringBuilder b = new StringBuilder("the machine and the reference model disagree:\n");
    differences.forEach(d -> b.append("  ").append(d).append('\n'));
    b.append("definition:\n").append(definition).append('\n');
    b.append("scripts (tries of each leaf; past the end every try succeeds): ")
        .append(scripts)
        .append('\n');
    b.append("expected steps:\n");
    expected
        .steps()
        .forEach(
            (path, s) -> b.append("  ").append(path).append(": ").append(line(s)).append('\n'));
    b.append("published steps (completion order):\n");
    run.result()
        .steps()
        .forEach(s -> b.append("  ").append(s.path()).append(": ").append(line(s)).append('\n'));
    b.append("inputs:\n");
    run.inputs().forEach(i -> b.append("  ").append(i).append('\n'));
    return b.toString();
  }
}
