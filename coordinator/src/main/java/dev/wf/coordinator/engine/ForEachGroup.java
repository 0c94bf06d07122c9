package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.definition.Group;
import dev.wf.protocol.definition.GroupType;
import dev.wf.protocol.expr.EvaluationException;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.result.StepStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * A group with {@code forEach}: its list is evaluated when it starts, and its steps run once per
 * item, each time in an iteration (an implicit sequential group). A sequential one runs one
 * iteration at a time; a parallel one up to {@code maxParallel} at once (all when unset). Failures
 * are those of any group's children: the first one that is not forgiven stops a sequential group,
 * and stops a fail-fast parallel one, whose running iterations are cancelled and whose items not
 * yet started never start.
 */
final class ForEachGroup extends GroupBehaviour {
  static final ForEachGroup INSTANCE = new ForEachGroup();

  private ForEachGroup() {}

  @Override
  void begin(Turn t, Plan.Node node, StepState g) {
    String source = node.group().forEach().orElseThrow();
    JsonNode items;
    try {
      items =
          Expression.compile(source)
              .evaluateToJson(t.vars(node), (long) t.config.maxItems() * 1024 + 1024 * 1024);
    } catch (EvaluationException e) {
      t.end(node, g, StepStatus.FAILED, "forEach: " + e.getMessage(), true);
      return;
    }
    if (!items.isArray()) {
      String why = "forEach `" + source + "` gave " + items + ", not a list";
      t.end(node, g, StepStatus.FAILED, why, true);
      return;
    }
    int limit = t.config.maxItems();
    if (items.size() > limit) {
      String why =
          "forEach `"
              + source
              + "` gave "
              + items.size()
              + " items, more than the limit of "
              + limit
              + " (the coordinator's --max-items)";
      t.end(node, g, StepStatus.FAILED, why, true);
      return;
    }
    g.fannedOut(items.size());
    if (items.size() > atOnce(node)) {
      t.store.putData(itemsKey(node), items); // for the iterations started later
    }
    fill(t, node, g, items);
  }

  @Override
  void onChildEnded(Turn t, Plan.Node node, StepState g, String failure) {
    int left = g.childDone();
    Group group = node.group();
    boolean stops = group.type() == GroupType.SEQUENTIAL || group.failFast();
    if (failure != null && g.failing(failure) && stops) {
      if (left > 0) {
        failFast(t, node, g);
      } else {
        failed(t, node, g, failure);
      }
      return;
    }
    fill(t, node, g, null);
  }

  @Override
  boolean lastToSettle(StepState g) {
    return g.childDone() == 0;
  }

  @Override
  List<Plan.Node> children(Turn t, Plan.Node node, StepState g) {
    int started = g == null ? 0 : g.started();
    List<Plan.Node> out = new ArrayList<>(started);
    for (int i = 0; i < started; i++) {
      out.add(t.plan.iteration(node, i));
    }
    return out;
  }

  /**
   * Starts iterations while the limit allows, then ends the group when all have ended. An iteration
   * can end while it starts (its steps skipped, a template that fails): the next one is then
   * started by this loop, not from within, so that the stack stays flat for 10,000 items.
   */
  private void fill(Turn t, Plan.Node node, StepState g, JsonNode items) {
    if (!t.startFilling(node.path())) {
      return;
    }
    try {
      int atOnce = atOnce(node);
      while (g.phase == Phase.RUNNING && g.hasNextItem() && g.pending < atOnce) {
        if (items == null) {
          items = t.store.data(itemsKey(node));
        }
        int i = g.takeNextChild();
        g.expectChildren(1);
        t.startStep(t.plan.iteration(node, i), items.get(i));
      }
    } finally {
      t.doneFilling(node.path());
    }
    if (g.phase == Phase.RUNNING && g.pending == 0 && !g.hasNextItem()) {
      if (g.failing) {
        failed(t, node, g, g.failure);
      } else {
        t.end(node, g, StepStatus.SUCCESS, null, false);
      }
    }
  }

  private static String itemsKey(Plan.Node node) {
    return "items|" + node.path();
  }

  private static int atOnce(Plan.Node node) {
    Group group = node.group();
    if (group.type() == GroupType.SEQUENTIAL) {
      return 1;
    }
    return group.maxParallel() > 0 ? group.maxParallel() : Integer.MAX_VALUE;
  }
}
