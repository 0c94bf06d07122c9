package dev.wf.coordinator.engine;

import dev.wf.protocol.result.StepStatus;

/** Runs its children one after another; the first failure that is not forgiven fails it. */
final class SequentialGroup extends GroupBehaviour {
  static final SequentialGroup INSTANCE = new SequentialGroup();

  private SequentialGroup() {}

  @Override
  void begin(Turn t, Plan.Node node, StepState g) {
    t.startStep(node.children().get(g.takeNextChild()));
  }

  @Override
  void onChildEnded(Turn t, Plan.Node node, StepState g, String failure) {
    if (failure != null) {
      failed(t, node, g, failure);
    } else if (g.hasNextChild(node.children().size())) {
      t.startStep(node.children().get(g.takeNextChild()));
    } else {
      t.end(node, g, StepStatus.SUCCESS, null, false);
    }
  }

  @Override
  boolean lastToSettle(StepState g) {
    return true; // one child runs at a time
  }
}
