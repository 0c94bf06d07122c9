package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.Durations;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.expr.EvaluationException;
import dev.wf.protocol.result.StepStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Approval steps: they run on no agent. The coordinator asks ({@code step:approval}) and the step
 * waits for a signal until its timeout; a signal for anything but a waiting approval changes
 * nothing and is answered with {@code signal:refused} and the reason.
 */
final class Approvals {
  private Approvals() {}

  static void await(Turn t, Plan.Node node, StepState s, Action.Approval approval) {
    String message;
    try {
      Map<String, Object> vars = node.templates().isEmpty() ? Map.of() : t.vars(node);
      message = Leaves.render(node, approval.message(), vars);
    } catch (EvaluationException e) {
      t.end(node, s, StepStatus.FAILED, "template: " + e.getMessage(), true);
      return;
    }
    s.awaitDecision(message);
    t.emit(t.event(EventType.STEP_APPROVAL, node).message(message));
    long due = t.now + node.leaf().timeout().toMillis();
    t.command(new Command.SetTimer(Timers.approval(node.path()), due));
  }

  /** The approval's timeout: nobody decided in time. */
  static Optional<Rejection> timedOut(Turn t, String path, String timerId) {
    Plan.Node node = t.plan.node(path).filter(Plan.Node::isLeaf).orElse(null);
    StepState s = node == null ? null : t.store.step(path);
    if (s == null
        || s.ended()
        || s.phase != Phase.WAITING
        || t.now < s.startedAt + node.leaf().timeout().toMillis()) {
      return Optional.of(Rejection.stale("stale timer " + timerId));
    }
    String why = "no decision within " + Durations.format(node.leaf().timeout());
    t.end(node, s, StepStatus.TIMEOUT, why, true);
    return Optional.empty();
  }

  static Optional<Rejection> signal(Turn t, Input.Signal signal) {
    Plan.Node node = t.plan.byName(signal.step()).orElse(null);
    StepState s = node == null ? null : t.store.step(node.path());
    String refused = null;
    if (node == null) {
      refused = "the run has no step named \"" + signal.step() + "\"";
    } else if (!node.isLeaf() || !(node.leaf().action() instanceof Action.Approval)) {
      refused = "step \"" + signal.step() + "\" is not an approval";
    } else if (s == null) {
      refused = "step \"" + signal.step() + "\" has not started";
    } else if (s.ended()) {
      refused = "step \"" + signal.step() + "\" has already ended (" + s.status.word() + ")";
    } else if (s.phase != Phase.WAITING) {
      refused = "step \"" + signal.step() + "\" is being cancelled";
    }
    if (refused != null) {
      refuse(t, signal, node, refused);
      return Optional.of(Rejection.stale(refused));
    }
    String by = signal.by() == null || signal.by().isBlank() ? "someone" : signal.by();
    String comment = signal.comment() == null ? "" : signal.comment();
    if (signal.approve()) {
      ObjectNode decision = JsonNodeFactory.instance.objectNode();
      decision.put("decision", "approve");
      decision.put("by", by);
      decision.put("comment", comment);
      decision.put("at", Instant.ofEpochMilli(t.now).toString());
      s.decided(decision);
      t.end(node, s, StepStatus.SUCCESS, null, false);
    } else {
      String why = "rejected by " + by + (comment.isBlank() ? "" : ": " + comment);
      t.end(node, s, StepStatus.FAILED, why, true);
    }
    return Optional.empty();
  }

  /** Says why a signal changed nothing; {@code node} may be null (no such step). */
  static void refuse(Turn t, Input.Signal signal, Plan.Node node, String why) {
    WorkflowEvent.Builder e = WorkflowEvent.of(EventType.SIGNAL_REFUSED, signal.runId());
    if (node != null) {
      e.step(node.path(), node.name());
    } else {
      e.step(null, signal.step());
    }
    t.emit(e.agent(signal.by()).reason(why));
  }
}
