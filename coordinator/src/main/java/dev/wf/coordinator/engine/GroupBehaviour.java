package dev.wf.coordinator.engine;

import dev.wf.protocol.definition.Group;
import dev.wf.protocol.definition.GroupType;
import dev.wf.protocol.definition.OnError;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.result.StepStatus;
import java.util.List;

/**
 * What a group does with its children: how it starts them and what a child's end means. The kinds
 * differ only there; failing, settling, retrying and cancelling are the same for every group.
 *
 * <p>A group's phases: RUNNING while children run; SETTLING when it must stop (a child failed a
 * fail-fast group, or the run is cancelled) and waits for its running children to end; then ENDED,
 * or BACKOFF before another iteration when {@code onError: retry} allows one.
 */
abstract sealed class GroupBehaviour permits SequentialGroup, ParallelGroup, ForEachGroup {
  static GroupBehaviour of(Plan.Node node) {
    if (node.isForEach()) {
      return ForEachGroup.INSTANCE;
    }
    return node.group().type() == GroupType.SEQUENTIAL
        ? SequentialGroup.INSTANCE
        : ParallelGroup.INSTANCE;
  }

  /** Starts an iteration: the group is RUNNING and has no child started. */
  abstract void begin(Turn t, Plan.Node node, StepState g);

  /**
   * A child ended while the group is RUNNING. {@code failure} says how it fails the group, or is
   * null when it does not (it succeeded, was skipped, or its onError forgives it).
   */
  abstract void onChildEnded(Turn t, Plan.Node node, StepState g, String failure);

  /** A child ended while the group is SETTLING: true when none is left running. */
  abstract boolean lastToSettle(StepState g);

  /** The children this iteration of the group may have started. */
  List<Plan.Node> children(Turn t, Plan.Node node, StepState g) {
    return node.children();
  }

  final void childEnded(Turn t, Plan.Node node, StepState g, Plan.Node childNode, StepState child) {
    switch (g.phase) {
      case RUNNING -> {
        // A child cancelled while its group runs was preempted (its concurrency key was taken):
        // that stops its group as a failure would.
        boolean stopped = child.status.isFailure() || child.status == StepStatus.CANCELLED;
        boolean failsGroup = stopped && childNode.step().onError() != OnError.CONTINUE;
        onChildEnded(t, node, g, failsGroup ? failureOf(childNode, child) : null);
      }
      case SETTLING -> {
        if (lastToSettle(g)) {
          settled(t, node, g);
        }
      }
      default ->
          throw new IllegalStateException(
              "child " + child.path + " ended while its group is " + g.phase);
    }
  }

  final void onCancel(Turn t, Plan.Node node, StepState g, String reason) {
    switch (g.phase) {
      case BACKOFF -> {
        t.command(new Command.ClearTimer(Timers.backoff(node.path(), g.iteration)));
        t.end(node, g, StepStatus.CANCELLED, reason, false);
      }
      case RUNNING, SETTLING -> {
        g.settle(true);
        cancelChildren(t, node, g, reason);
        if (g.phase == Phase.SETTLING && !anyChildInFlight(t, node, g)) {
          settled(t, node, g);
        }
      }
      default -> throw new IllegalStateException("group " + node.path() + " is " + g.phase);
    }
  }

  /** The backoff after a failed iteration is over: run the group again. */
  final void retry(Turn t, Plan.Node node, StepState g) {
    g.nextIteration(t.now);
    begin(t, node, g);
  }

  /** Stops the children still running because one failed; ends the group if none is. */
  final void failFast(Turn t, Plan.Node node, StepState g) {
    g.settle(false);
    cancelChildren(t, node, g, "a sibling failed: " + g.failure);
    if (g.phase == Phase.SETTLING && g.pending == 0) {
      settled(t, node, g);
    }
  }

  /** A settling group has no child left running. */
  final void settled(Turn t, Plan.Node node, StepState g) {
    if (g.failing && !g.cancelling) {
      failed(t, node, g, g.failure);
    } else if (g.failing) {
      t.end(node, g, StepStatus.FAILED, g.failure, false);
    } else {
      t.end(node, g, StepStatus.CANCELLED, "cancelled", false);
    }
  }

  /** The iteration failed: the group ends failed, or waits to run again. */
  final void failed(Turn t, Plan.Node node, StepState g, String failure) {
    Group group = node.group();
    boolean retry =
        group.onError() == OnError.RETRY
            && g.iteration <= group.retries()
            && !t.run().cancelRequested
            && !t.run().timedOut
            && !g.cancelling;
    if (!retry) {
      t.end(node, g, StepStatus.FAILED, failure, false);
      return;
    }
    long delay =
        group.retryPolicy().backoff(g.iteration, t.unit(node.path(), g.iteration)).toMillis();
    g.iterationFailed(failure, t.now);
    removeDescendants(t, node, g);
    t.emit(t.event(EventType.STEP_RETRY, node).attempt(g.iteration).delay(delay).error(failure));
    t.command(new Command.SetTimer(Timers.backoff(node.path(), g.iteration), t.now + delay));
  }

  private static String failureOf(Plan.Node childNode, StepState child) {
    if (!childNode.isLeaf() && child.error != null) {
      return child.error;
    }
    String what =
        switch (child.status) {
          case TIMEOUT -> "timed out";
          case CANCELLED -> "was cancelled";
          default -> "failed";
        };
    return "step \""
        + childNode.name()
        + "\" "
        + what
        + (child.error == null ? "" : ": " + child.error);
  }

  /** Forgets the states of every step below {@code node}, for the group to run again. */
  private void removeDescendants(Turn t, Plan.Node node, StepState g) {
    for (Plan.Node child : children(t, node, g)) {
      StepState c = t.store.step(child.path());
      if (c != null && !child.isLeaf()) {
        of(child).removeDescendants(t, child, c);
      }
      t.store.remove(child.path());
    }
  }

  private void cancelChildren(Turn t, Plan.Node node, StepState g, String reason) {
    for (Plan.Node child : children(t, node, g)) {
      t.cancel(child, reason);
    }
  }

  private boolean anyChildInFlight(Turn t, Plan.Node node, StepState g) {
    for (Plan.Node child : children(t, node, g)) {
      StepState c = t.store.step(child.path());
      if (c != null && !c.ended()) {
        return true;
      }
    }
    return false;
  }
}
