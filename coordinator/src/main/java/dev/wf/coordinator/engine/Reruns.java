package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.GroupType;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a rerun takes from the run it reruns (DESIGN.md section 8). Without {@code from}: every step
 * that succeeded, except that a group that holds a step that did not succeed runs again. With
 * {@code from}: the steps that succeeded and come before {@code from} in the sequential order of
 * their ancestors. A step taken keeps its result, and its steps theirs.
 */
public final class Reruns {
  private Reruns() {}

  /**
   * The steps a rerun takes, by the path of the highest of them, each with its own steps' results
   * in the order they ended, itself last.
   */
  public record Reuse(String of, Map<String, List<StepResult>> steps) {
    public Reuse {
      steps = Map.copyOf(steps);
    }
  }

  /**
   * What a rerun of the run in {@code old} takes.
   *
   * @return the reuse, or empty when {@code from} names no step of the workflow
   */
  public static Optional<Reuse> of(Plan plan, RunStore old, String from) {
    Plan.Node start = null;
    if (from != null) {
      start = plan.byName(from).orElse(null);
      if (start == null) {
        return Optional.empty();
      }
    }
    Map<String, List<StepResult>> taken = new LinkedHashMap<>();
    visit(plan, old, plan.root(), start, taken);
    return Optional.of(new Reuse(old.run().runId(), taken));
  }

  private static void visit(
      Plan plan,
      RunStore old,
      Plan.Node node,
      Plan.Node from,
      Map<String, List<StepResult>> taken) {
    StepState s = old.step(node.path());
    if (s == null || !s.ended()) {
      return;
    }
    if (s.status == StepStatus.SUCCESS && (from == null || before(node, from))) {
      List<StepState> subtree = new ArrayList<>();
      collect(plan, old, node, subtree);
      subtree.sort(Comparator.comparingLong(StepState::endSeq));
      taken.put(node.path(), subtree.stream().map(st -> Results.ended(plan, st)).toList());
      return;
    }
    for (Plan.Node child : children(plan, old, node)) {
      visit(plan, old, child, from, taken);
    }
  }

  private static void collect(Plan plan, RunStore old, Plan.Node node, List<StepState> out) {
    StepState s = old.step(node.path());
    if (s == null || !s.ended()) {
      return;
    }
    out.add(s);
    for (Plan.Node child : children(plan, old, node)) {
      collect(plan, old, child, out);
    }
  }

  /** A step's children as they ran: a forEach group's iterations, as many as there were. */
  private static List<Plan.Node> children(Plan plan, RunStore old, Plan.Node node) {
    if (node.isLeaf()) {
      return List.of();
    }
    if (!node.isForEach()) {
      return node.children();
    }
    List<Plan.Node> out = new ArrayList<>();
    for (int i = 0; ; i++) {
      Plan.Node it = plan.iteration(node, i);
      if (old.step(it.path()) == null) {
        return out;
      }
      out.add(it);
    }
  }

  /** True when {@code x} runs before {@code from}: under a sequential group, in an earlier step. */
  static boolean before(Plan.Node x, Plan.Node from) {
    List<Plan.Node> xs = chain(x);
    List<Plan.Node> fs = chain(from);
    int i = 0;
    while (i < xs.size() && i < fs.size() && xs.get(i).path().equals(fs.get(i).path())) {
      i++;
    }
    if (i == 0 || i == xs.size() || i == fs.size()) {
      return false; // one contains the other
    }
    Plan.Node common = xs.get(i - 1);
    boolean sequential = common.isIteration() || common.group().type() == GroupType.SEQUENTIAL;
    return sequential && xs.get(i).index() < fs.get(i).index();
  }

  private static List<Plan.Node> chain(Plan.Node node) {
    List<Plan.Node> out = new ArrayList<>();
    for (Plan.Node n = node; n != null; n = n.parent().orElse(null)) {
      out.add(0, n);
    }
    return out;
  }

  static String key(String path) {
    return "reuse|" + path;
  }

  /** The reuse as the run keeps it: one value per step taken. */
  static void keep(RunStore store, Reuse reuse) {
    reuse.steps().forEach((path, results) -> store.putData(key(path), Json.tree(results)));
  }

  static List<StepResult> taken(RunStore store, String path) {
    JsonNode kept = store.data(key(path));
    if (kept == null) {
      return null;
    }
    List<StepResult> out = new ArrayList<>();
    kept.forEach(n -> out.add(Json.MAPPER.convertValue(n, StepResult.class)));
    return out;
  }
}
