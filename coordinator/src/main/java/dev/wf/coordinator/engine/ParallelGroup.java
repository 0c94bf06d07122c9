package dev.wf.coordinator.engine;

import dev.wf.protocol.result.StepStatus;
import java.util.List;

/**
 * Starts all its children at once and ends when all have ended. A failure that is not forgiven
 * fails it; with {@code failFast} the siblings still running are cancelled at once.
 */
final class ParallelGroup extends GroupBehaviour {
  static final ParallelGroup INSTANCE = new ParallelGroup();

  private ParallelGroup() {}

  @Override
  void begin(Turn t, Plan.Node node, StepState g) {
    List<Plan.Node> children = node.children();
    g.expectChildren(children.size());
    for (int i = 0; i < children.size(); i++) {
      if (g.phase != Phase.RUNNING) {
        // A child failed the group while the others were starting: those never start.
        g.expectChildren(-(children.size() - i));
        if (g.phase == Phase.SETTLING && g.pending == 0) {
          settled(t, node, g);
        }
        return;
      }
      t.startStep(children.get(i));
    }
  }

  @Override
  void onChildEnded(Turn t, Plan.Node node, StepState g, String failure) {
    int left = g.childDone();
    if (failure != null && g.failing(failure) && node.group().failFast() && left > 0) {
      failFast(t, node, g);
      return;
    }
    if (left == 0) {
      if (g.failing) {
        failed(t, node, g, g.failure);
      } else {
        t.end(node, g, StepStatus.SUCCESS, null, false);
      }
    }
  }

  @Override
  boolean lastToSettle(StepState g) {
    return g.childDone() == 0;
  }
}
