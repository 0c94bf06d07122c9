package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Random workflow trees for the property tests: sequential and parallel groups of 1-4 steps, at
 * most {@link #MAX_DEPTH} levels, random onError, retries, failFast, conditions and (on leaves) a
 * template that reads an earlier sibling. A tree is generated as a {@link Shape} (which jqwik can
 * shrink) and written as the JSON definition a user would submit; names are given in pre-order
 * ({@code S1}, {@code S2}...) so that they stay unique.
 */
final class WorkflowShapes {
  static final int MAX_DEPTH = 4;

  /** How a step is conditioned; references to a sibling fall back to NONE for a first child. */
  enum Cond {
    NONE,
    TRUE,
    FALSE,
    /** {@code steps['<previous sibling>'].status == 'success'} */
    SIBLING_SUCCEEDED,
    /** {@code steps['<first sibling>'].status != 'failed'} */
    FIRST_SIBLING_NOT_FAILED,
    /** Reads an input that does not exist: fails the step where it is evaluated. */
    CANNOT_EVALUATE
  }

  enum OnErr {
    DEFAULT,
    FAIL,
    CONTINUE,
    RETRY
  }

  /**
   * One step of a generated tree. {@code retries} is left out of the definition when negative;
   * {@code failFast} is written only on parallel groups, and only when not null.
   */
  record Shape(
      boolean parallel,
      List<Shape> children,
      OnErr onError,
      int retries,
      Boolean failFast,
      Cond cond,
      boolean template) {
    boolean isLeaf() {
      return children.isEmpty();
    }
  }

  private WorkflowShapes() {}

  /** A whole workflow: usually a group at the root, sometimes a single leaf. */
  static Arbitrary<Shape> workflows() {
    // Without edge cases: jqwik would otherwise embed them at every level and most trees would be
    // a leaf or a group of one; shrinking still finds the small cases.
    return Arbitraries.frequencyOf(Tuple.of(1, leaf()), Tuple.of(12, group(MAX_DEPTH)))
        .withoutEdgeCases();
  }

  private static Arbitrary<Shape> step(int depth) {
    if (depth <= 1) {
      return leaf();
    }
    return Arbitraries.frequencyOf(
        Tuple.of(1, leaf()), Tuple.of(1, Arbitraries.lazy(() -> group(depth))));
  }

  private static Arbitrary<Shape> leaf() {
    return Combinators.combine(
            onErrors(),
            Arbitraries.integers().between(-1, 2),
            conditions(),
            Arbitraries.integers().between(0, 9))
        .as(
            (onError, retries, cond, t) ->
                new Shape(false, List.of(), onError, retries, null, cond, t == 0));
  }

  private static Arbitrary<Shape> group(int depth) {
    Arbitrary<Boolean> failFast = Arbitraries.of(true, false).injectNull(0.5);
    return Combinators.combine(
            Arbitraries.of(false, true),
            step(depth - 1)
                .list()
                .ofMinSize(1)
                .ofMaxSize(4)
                .withSizeDistribution(RandomDistribution.uniform()),
            onErrors(),
            Arbitraries.integers().between(-1, 2),
            failFast,
            conditions())
        .as(
            (parallel, children, onError, retries, ff, cond) ->
                new Shape(parallel, children, onError, retries, ff, cond, false));
  }

  private static Arbitrary<OnErr> onErrors() {
    return Arbitraries.frequency(
        Tuple.of(4, OnErr.DEFAULT),
        Tuple.of(2, OnErr.FAIL),
        Tuple.of(3, OnErr.CONTINUE),
        Tuple.of(3, OnErr.RETRY));
  }

  private static Arbitrary<Cond> conditions() {
    return Arbitraries.frequency(
        Tuple.of(60, Cond.NONE),
        Tuple.of(1, Cond.TRUE),
        Tuple.of(2, Cond.FALSE),
        Tuple.of(2, Cond.SIBLING_SUCCEEDED),
        Tuple.of(1, Cond.FIRST_SIBLING_NOT_FAILED),
        Tuple.of(1, Cond.CANNOT_EVALUATE));
  }

  /** The definition of {@code root} as JSON text, with the root named {@code Root}. */
  static String toJson(Shape root) {
    return toJson(root, false);
  }

  /**
   * The same, and with {@code fanOut} every other group below the root (in pre-order) runs its
   * steps for each of two or three items ({@code forEach} over a literal list, a parallel one two
   * at a time when it has three); steps under a forEach name no sibling, since names there stand
   * for one step per item.
   */
  static String toJson(Shape root, boolean fanOut) {
    int[] next = {0};
    ObjectNode node = write(root, "Root", null, next, fanOut, false);
    return node.toPrettyString();
  }

  private static ObjectNode write(
      Shape s,
      String name,
      List<String> earlierSiblings,
      int[] next,
      boolean fanOut,
      boolean inBody) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("name", name);
    if (inBody) {
      earlierSiblings = null; // no step of a forEach body is named by a sibling
    }
    if (s.isLeaf()) {
      boolean template = s.template() && earlierSiblings != null && !earlierSiblings.isEmpty();
      if (template) {
        // Rendered at dispatch: fails the step when that sibling has not ended (a parallel group).
        ObjectNode action =
            o.putObject("action").put("kind", "shell").put("command", "echo \"$BEFORE\"");
        action
            .putObject("env")
            .put(
                "BEFORE",
                "${{ steps['" + earlierSiblings.get(earlierSiblings.size() - 1) + "'].status }}");
      } else {
        o.putObject("action").put("kind", "noop");
      }
      o.put("timeout", "10s");
      if (s.retries() >= 0) {
        o.put("retries", s.retries());
      }
    } else {
      o.put("type", s.parallel() ? "parallel" : "sequential");
      if (fanOut && earlierSiblings != null && next[0] % 2 == 1) {
        int items = 2 + next[0] % 3 / 2;
        o.put("forEach", items == 2 ? "[0, 1]" : "['a', 'b', 'c']");
        if (s.parallel() && items == 3) {
          o.put("maxParallel", 2);
        }
        inBody = true;
      }
      if (s.onError() == OnErr.RETRY && s.retries() >= 0) {
        o.put("retries", s.retries());
      }
      if (s.onError() == OnErr.RETRY) {
        o.putObject("backoff").put("initial", "2s");
      }
      if (s.parallel() && s.failFast() != null) {
        o.put("failFast", s.failFast());
      }
    }
    if (s.onError() != OnErr.DEFAULT) {
      o.put("onError", s.onError().name().toLowerCase(Locale.ROOT));
    }
    String condition = condition(s.cond(), earlierSiblings);
    if (condition != null) {
      o.put("condition", condition);
    }
    if (!s.isLeaf()) {
      ArrayNode steps = o.putArray("steps");
      List<String> names = new ArrayList<>();
      for (Shape child : s.children()) {
        String childName = "S" + (++next[0]);
        steps.add(write(child, childName, List.copyOf(names), next, fanOut, inBody));
        names.add(childName);
      }
    }
    return o;
  }

  private static String condition(Cond cond, List<String> earlierSiblings) {
    boolean hasSibling = earlierSiblings != null && !earlierSiblings.isEmpty();
    return switch (cond) {
      case NONE -> null;
      case TRUE -> "true";
      case FALSE -> "false";
      case CANNOT_EVALUATE -> "inputs['missing'] == true";
      case SIBLING_SUCCEEDED ->
          hasSibling
              ? "steps['"
                  + earlierSiblings.get(earlierSiblings.size() - 1)
                  + "'].status == 'success'"
              : null;
      case FIRST_SIBLING_NOT_FAILED ->
          hasSibling ? "steps['" + earlierSiblings.get(0) + "'].status != 'failed'" : null;
    };
  }
}
