package dev.wf.coordinator.engine;

import dev.wf.coordinator.engine.RunSimulation.Applied;
import dev.wf.coordinator.engine.RunSimulation.Transcript;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.GroupType;
import dev.wf.protocol.definition.OnError;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result and event contract of DESIGN.md sections 2, 3, 6 and 7, checked on a recorded run.
 *
 * <p>The events are replayed into a model of what has started and ended, where a group's {@code
 * step:retry} forgets its descendants (as the machine does); the model then has to agree with the
 * published result.
 */
final class RunInvariants {
  private final Transcript t;
  private final Plan plan;
  private final WorkflowResult result;
  private final List<WorkflowEvent> events = new ArrayList<>();
  private final Set<String> started = new HashSet<>();

  /** Paths that ended in their latest group iteration, in the order they ended, with status. */
  private final Map<String, StepStatus> ended = new LinkedHashMap<>();

  /** Steps that ended failed without starting: their condition could not be evaluated. */
  private final Set<String> conditionFailed = new HashSet<>();

  private RunInvariants(Transcript t) {
    this.t = t;
    this.plan = t.plan();
    this.result = t.result();
    replay();
  }

  static RunInvariants of(Transcript t) {
    return new RunInvariants(t);
  }

  // ---- the replay of events -------------------------------------------------------------------

  private void replay() {
    for (Applied a : t.applied()) {
      for (Command c : a.outcome().commands()) {
        if (c instanceof Command.Emit e) {
          events.add(e.event());
          if (e.event().path() != null && e.event().type().wire().startsWith("step:")) {
            stepEvent(e.event());
          }
        } else if (c instanceof Command.DispatchStep d) {
          String path = d.dispatch().path();
          check(node(path).isLeaf(), "dispatched group " + path);
          check(
              started.contains(path) && !ended.containsKey(path),
              "dispatched " + path + ", which is not running");
        }
      }
    }
  }

  private void stepEvent(WorkflowEvent e) {
    String path = e.path();
    Plan.Node node = node(path);
    check(
        node.name().equals(e.step()), e.type().wire() + " at " + path + " names step " + e.step());
    switch (e.type()) {
      case STEP_START -> {
        check(
            !started.contains(path) && !ended.containsKey(path),
            "step:start twice for " + path + " in one group iteration");
        checkParentRunning(node, "started");
        started.add(path);
      }
      case STEP_COMPLETE, STEP_FAILED, STEP_TIMEOUT, STEP_SKIPPED, STEP_CANCELLED -> {
        StepStatus status = statusOf(e.type());
        check(
            !ended.containsKey(path),
            path
                + " ended twice in one group iteration: "
                + ended.get(path)
                + " then "
                + status.word());
        checkParentRunning(node, "ended");
        if (started.contains(path)) {
          check(status != StepStatus.SKIPPED, path + " was skipped after it started");
        } else {
          boolean conditionFailure = status == StepStatus.FAILED && node.condition().isPresent();
          check(
              status == StepStatus.SKIPPED || conditionFailure,
              path + " ended " + status.word() + " without step:start");
          if (conditionFailure) {
            conditionFailed.add(path);
          }
        }
        for (Plan.Node child : node.children()) {
          check(
              !started.contains(child.path()) || ended.containsKey(child.path()),
              "group "
                  + path
                  + " ended "
                  + status.word()
                  + " while its child "
                  + child.path()
                  + " had not ended");
        }
        ended.put(path, status);
      }
      case STEP_RETRY -> {
        check(
            started.contains(path) && !ended.containsKey(path),
            "step:retry for " + path + ", which is not running");
        if (!node.isLeaf()) {
          Plan.forEachDescendant(
              node,
              d -> {
                check(
                    !started.contains(d.path()) || ended.containsKey(d.path()),
                    "group " + path + " ran again while " + d.path() + " had not ended");
                started.remove(d.path());
                ended.remove(d.path());
                conditionFailed.remove(d.path());
              });
        }
      }
      case STEP_LOST ->
          check(
              node.isLeaf() && started.contains(path) && !ended.containsKey(path),
              "step:lost for " + path + ", which is not running");
      default -> {}
    }
  }

  private void checkParentRunning(Plan.Node node, String what) {
    node.parent()
        .ifPresent(
            p ->
                check(
                    started.contains(p.path()) && !ended.containsKey(p.path()),
                    node.path()
                        + " "
                        + what
                        + " while its group "
                        + p.path()
                        + " was not running"));
  }

  private static StepStatus statusOf(EventType type) {
    return switch (type) {
      case STEP_COMPLETE -> StepStatus.SUCCESS;
      case STEP_FAILED -> StepStatus.FAILED;
      case STEP_TIMEOUT -> StepStatus.TIMEOUT;
      case STEP_SKIPPED -> StepStatus.SKIPPED;
      case STEP_CANCELLED -> StepStatus.CANCELLED;
      default -> throw new IllegalArgumentException(type.wire());
    };
  }

  // ---- properties -----------------------------------------------------------------------------

  /** No step ends twice, every step that started ended, and so did every state the machine kept. */
  void everyStepThatStartedEndsOnce() {
    for (String path : started) {
      check(ended.containsKey(path), path + " started and never ended");
    }
    t.store()
        .forEachStep(
            s -> check(s.ended(), "the run ended with " + s.path() + " still " + s.phase()));
    Set<String> seen = new HashSet<>();
    for (StepResult s : result.steps()) {
      check(seen.add(s.path()), "steps lists " + s.path() + " twice");
      check(
          s.attempts().stream().noneMatch(a -> a.status() == AttemptStatus.RUNNING),
          s.path() + " ended with an attempt still running: " + s.attempts());
    }
  }

  /**
   * {@code steps} holds the final outcome of each path that ended, in completion order, children
   * before their group, and in index order within a sequential group.
   */
  void stepsFollowCompletionOrderAndTheTree() {
    List<String> expected =
        ended.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().word()).toList();
    List<String> listed =
        result.steps().stream().map(s -> s.path() + "=" + s.status().word()).toList();
    check(
        listed.equals(expected),
        "steps " + listed + " differ from the ends announced by events " + expected);

    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < result.steps().size(); i++) {
      position.put(result.steps().get(i).path(), i);
    }
    check(
        !result.steps().isEmpty()
            && result.steps().get(result.steps().size() - 1).path().equals(plan.root().path()),
        "the root is not the last of steps");
    for (StepResult s : result.steps()) {
      Plan.Node node = node(s.path());
      node.parent()
          .ifPresent(
              p -> {
                Integer at = position.get(p.path());
                check(at != null, s.path() + " is listed but its group " + p.path() + " is not");
                check(
                    at > position.get(s.path()),
                    "group " + p.path() + " is listed before its child " + s.path());
              });
      if (!node.isLeaf()) {
        groupAgreesWithChildren(node, s, position);
      }
    }
  }

  private void groupAgreesWithChildren(
      Plan.Node node, StepResult g, Map<String, Integer> position) {
    List<Plan.Node> children = node.children();
    List<Plan.Node> listed = children.stream().filter(c -> position.containsKey(c.path())).toList();
    boolean ranChildren = g.status() != StepStatus.SKIPPED && !conditionFailed.contains(g.path());
    if (!ranChildren) {
      check(
          listed.isEmpty(),
          "group " + g.path() + " (" + g.status().word() + ") lists children " + listed);
      return;
    }
    if (node.group().type() == GroupType.SEQUENTIAL) {
      for (int i = 0; i < listed.size(); i++) {
        check(
            listed.get(i).index() == i,
            "sequential group "
                + g.path()
                + " lists children "
                + listed
                + ", not a prefix in order");
        if (i > 0) {
          check(
              position.get(listed.get(i - 1).path()) < position.get(listed.get(i).path()),
              "sequential group "
                  + g.path()
                  + " lists "
                  + listed.get(i)
                  + " before "
                  + listed.get(i - 1));
        }
      }
    }
    switch (g.status()) {
      case SUCCESS -> {
        check(
            listed.size() == children.size(),
            "group " + g.path() + " succeeded with children missing: " + listed);
        for (Plan.Node c : listed) {
          check(
              !failsItsGroup(c),
              "group " + g.path() + " succeeded although " + c.path() + " failed it");
        }
      }
      case FAILED -> {
        check(
            listed.stream().anyMatch(this::failsItsGroup),
            "group " + g.path() + " failed with no child failing it");
        if (node.group().type() == GroupType.SEQUENTIAL) {
          check(
              failsItsGroup(listed.get(listed.size() - 1)),
              "sequential group " + g.path() + " went on after a failure");
        }
      }
      default -> {}
    }
  }

  private boolean failsItsGroup(Plan.Node child) {
    StepStatus s = ended.get(child.path());
    return s != null && s.isFailure() && child.step().onError() != OnError.CONTINUE;
  }

  /**
   * Without a run cancel, a step ends cancelled only because a fail-fast parallel group around it
   * failed (a group cancelled on the way may itself end failed, when a child of its own failed). A
   * group's result is absent.
   */
  void stepsAreCancelledOnlyByARunCancelOrAFailFastGroup() {
    Map<String, StepResult> byPath = new HashMap<>();
    result.steps().forEach(s -> byPath.put(s.path(), s));
    for (StepResult s : result.steps()) {
      Plan.Node node = node(s.path());
      if (!node.isLeaf()) {
        check(s.result() == null, "group " + s.path() + " has a result");
      }
      if (s.status() != StepStatus.CANCELLED || t.cancelAccepted()) {
        continue;
      }
      boolean failFastFailed = false;
      for (Plan.Node up = node.parent().orElse(null); up != null; up = up.parent().orElse(null)) {
        failFastFailed |=
            up.group().type() == GroupType.PARALLEL
                && up.group().failFast()
                && byPath.get(up.path()).status() == StepStatus.FAILED;
      }
      check(
          failFastFailed,
          s.path()
              + " was cancelled though nobody cancelled the run and no fail-fast group around it"
              + " failed");
    }
  }

  /**
   * {@code errors} lists, in completion order, each listed failed or timed-out step where the
   * failure began (a leaf, or a condition that could not be evaluated), with that step's error; no
   * group fails into it because of a child.
   */
  void errorsListEachFailureOnceWhereItBegan() {
    Map<String, StepResult> byPath = new HashMap<>();
    result.steps().forEach(s -> byPath.put(s.path(), s));
    List<ErrorEntry> expected = new ArrayList<>();
    for (StepResult s : result.steps()) {
      Plan.Node node = node(s.path());
      if (s.status().isFailure() && (node.isLeaf() || conditionFailed.contains(s.path()))) {
        expected.add(new ErrorEntry(s.path(), s.name(), s.error()));
      }
    }
    for (ErrorEntry e : result.errors()) {
      StepResult s = byPath.get(e.path());
      check(
          s != null && s.status().isFailure(),
          "error at " + e.path() + ", which is not a listed failed/timeout step");
      check(
          node(e.path()).isLeaf() || conditionFailed.contains(e.path()),
          "error at group " + e.path() + ", which failed because of a child");
    }
    check(
        result.errors().equals(expected),
        "errors " + result.errors() + " but expected " + expected);
  }

  /**
   * The events begin with workflow:start and end with one workflow:complete, workflow:failed or
   * workflow:cancelled right before it exactly when the run did; the outcome follows the root.
   */
  void runOutcomeFollowsTheRoot() {
    check(
        !events.isEmpty() && events.get(0).type() == EventType.WORKFLOW_START,
        "the first event is not workflow:start");
    check(
        count(EventType.WORKFLOW_START) == 1,
        "workflow:start " + count(EventType.WORKFLOW_START) + " times");
    check(
        count(EventType.WORKFLOW_COMPLETE) == 1,
        "workflow:complete " + count(EventType.WORKFLOW_COMPLETE) + " times");
    WorkflowEvent last = events.get(events.size() - 1);
    check(last.type() == EventType.WORKFLOW_COMPLETE, "the last event is " + last.type().wire());
    WorkflowEvent beforeLast = events.size() > 1 ? events.get(events.size() - 2) : null;
    boolean failedEvent = beforeLast != null && beforeLast.type() == EventType.WORKFLOW_FAILED;
    boolean cancelledEvent =
        beforeLast != null && beforeLast.type() == EventType.WORKFLOW_CANCELLED;
    check(
        count(EventType.WORKFLOW_FAILED) == (failedEvent ? 1 : 0),
        "workflow:failed not right before workflow:complete");
    check(
        count(EventType.WORKFLOW_CANCELLED) == (cancelledEvent ? 1 : 0),
        "workflow:cancelled not right before workflow:complete");
    check(
        failedEvent == (result.status() == RunStatus.FAILED),
        "workflow:failed " + failedEvent + " for a run " + result.status());
    check(
        cancelledEvent == (result.status() == RunStatus.CANCELLED),
        "workflow:cancelled " + cancelledEvent + " for a run " + result.status());

    // Section 7: success exactly when the root did not fail, or failed under its own continue; and
    // a run cancelled while it ran is not a success: a failure it forgives leaves it cancelled.
    Plan.Node root = plan.root();
    StepStatus rootStatus = ended.get(root.path());
    check(rootStatus != null, "the run ended but its root did not");
    boolean forgiven = rootStatus.isFailure() && root.step().onError() == OnError.CONTINUE;
    RunStatus expected;
    if (rootStatus == StepStatus.CANCELLED || (forgiven && t.cancelAccepted())) {
      expected = RunStatus.CANCELLED;
    } else if (rootStatus.isFailure() && !forgiven) {
      expected = RunStatus.FAILED;
    } else {
      expected = RunStatus.SUCCESS;
    }
    String cancelled = t.cancelAccepted() ? ", cancelled while it ran," : "";
    check(
        result.status() == expected,
        "run "
            + result.status().name()
            + cancelled
            + " but its root ended "
            + rootStatus.word()
            + " under onError "
            + root.step().onError().word()
            + " (expected "
            + expected
            + ")");
    check(
        result.success() == (expected == RunStatus.SUCCESS),
        "success " + result.success() + " for a run " + result.status());
    if (!t.cancelAccepted()) {
      check(
          result.status() != RunStatus.CANCELLED,
          "the run was cancelled though nobody cancelled it");
    }
    check(
        Json.tree(result).equals(last.result()),
        "workflow:complete carries another result than the one published");
  }

  /**
   * Nothing is dispatched once the run was cancelled or ended, nothing at all happens after the end
   * (inputs then may only cancel the agents that start late), and no timer is left set.
   */
  void nothingHappensAfterTheEndOrACancel() {
    for (Applied a : t.applied()) {
      for (Command c : a.outcome().commands()) {
        if (a.cancelledBefore() || a.input() instanceof Input.CancelRun) {
          check(
              !(c instanceof Command.DispatchStep),
              "`" + a.label() + "` dispatched a step after the run was cancelled: " + c);
        }
        if (a.endedBefore()) {
          check(c instanceof Command.CancelAttempt, "`" + a.label() + "` after the end gave " + c);
        }
      }
      if (a.endedBefore()) {
        check(
            a.outcome().ignored().isPresent(), "`" + a.label() + "` after the end was not ignored");
      }
    }
    List<Command> all = t.commands();
    int published = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) instanceof Command.PublishResult) {
        published++;
        for (Command after : all.subList(i + 1, all.size())) {
          check(
              after instanceof Command.CancelAttempt || after instanceof Command.ClearTimer,
              "after the result came " + after);
        }
      }
    }
    check(published == 1, "the result was published " + published + " times");
    check(t.timersLeft().isEmpty(), "timers left set at the end: " + t.timersLeft());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private long count(EventType type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  private Plan.Node node(String path) {
    return plan.node(path).orElseThrow(() -> fail("event or result for unknown path " + path));
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw fail(message);
    }
  }

  private AssertionError fail(String message) {
    StringBuilder b = new StringBuilder(message).append("\n").append(t.describe());
    b.append("events:\n");
    for (WorkflowEvent e : events) {
      b.append("  ").append(e.type().wire()).append(' ').append(e.path());
      if (e.error() != null) {
        b.append("  (").append(e.error()).append(')');
      }
      b.append('\n');
    }
    if (result != null) {
      b.append("result: ")
          .append(result.status())
          .append(" success=")
          .append(result.success())
          .append('\n');
      result
          .steps()
          .forEach(
              s ->
                  b.append("  ")
                      .append(s.path())
                      .append('=')
                      .append(s.status().word())
                      .append('\n'));
      b.append("errors: ").append(result.errors()).append('\n');
    }
    return new AssertionError(b.toString());
  }
}
