package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Rejection;
import dev.wf.protocol.definition.Problem;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.message.IntakeMessage;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submissions and cancellations, keyed by run id (triaged already): a new run's definition is
 * validated, its pools' topics made, its definition stored, and the run started; the rest goes to
 * the machine as it is.
 */
final class IntakeHandler {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final Topic<String, IntakeMessage> topic;
  private final WorkflowValidator.Limits limits;
  private final Consumer<Collection<String>> ensurePools;
  private final Plans plans;
  private final RunApplier runs;
  private final Outbox out;

  IntakeHandler(
      Topic<String, IntakeMessage> topic,
      WorkflowValidator.Limits limits,
      Consumer<Collection<String>> ensurePools,
      Plans plans,
      RunApplier runs,
      Outbox out) {
    this.topic = topic;
    this.limits = limits;
    this.ensurePools = ensurePools;
    this.plans = plans;
    this.runs = runs;
    this.out = out;
  }

  void handle(Record<String, byte[]> record, String source) {
    String runId = record.key();
    IntakeMessage msg;
    try {
      msg = topic.read(record.value());
    } catch (SerializationException e) {
      out.reject(
          record,
          runId,
          "cannot read the message: " + IntakeTriage.firstLine(e.getMessage()),
          source);
      return;
    }
    if (msg instanceof IntakeMessage.Cancel c) {
      cancel(runId, c);
    } else {
      submit(record, runId, (IntakeMessage.Submit) msg, source);
    }
  }

  private void cancel(String runId, IntakeMessage.Cancel cancel) {
    Plan plan = plans.get(runId);
    if (plan == null) {
      LOG.info("cancel for unknown run {} ignored", runId);
      out.event(
          runId,
          Routes.event(
              EventType.WORKFLOW_REJECTED,
              runId,
              "cancel for a run that does not exist",
              out.now()));
      return;
    }
    LOG.info("run {} cancel requested", runId);
    runs.apply(runId, plan, new Input.CancelRun(cancel.reason()));
  }

  private void submit(
      Record<String, byte[]> record, String runId, IntakeMessage.Submit submit, String source) {
    Plan existing = plans.get(runId);
    if (existing != null) {
      // The machine decides: the same run id again is a duplicate, whatever its definition.
      Optional<Rejection> refused =
          runs.apply(runId, existing, new Input.StartRun(runId, submit.inputs()));
      if (refused.filter(r -> r.type() == Rejection.Type.DUPLICATE).isPresent()) {
        LOG.info("run {} submitted again: duplicate ignored", runId);
        out.event(
            runId,
            Routes.event(
                EventType.WORKFLOW_DUPLICATE,
                runId,
                "a run with this id exists; the submission was ignored",
                out.now()));
      }
      return;
    }
    WorkflowValidator.Validation v = WorkflowValidator.validate(submit.definition(), limits);
    if (!v.valid()) {
      List<String> errors = v.errors().stream().map(Problem::toString).toList();
      String reason =
          "invalid definition: "
              + errors.stream().limit(20).collect(Collectors.joining("; "))
              + (errors.size() > 20 ? "; and " + (errors.size() - 20) + " more" : "");
      out.reject(record, runId, reason, source);
      return;
    }
    Plan plan = Plan.of(v.workflow().get());
    ensurePools.accept(pools(plan));
    plans.accepted(runId, submit.definition(), plan);
    LOG.info("run {} started: {} ({} steps)", runId, plan.root().name(), plan.size());
    runs.apply(runId, plan, new Input.StartRun(runId, submit.inputs()));
  }

  private static Set<String> pools(Plan plan) {
    Set<String> names = new HashSet<>();
    Plan.forEachDescendant(
        plan.root(),
        n -> {
          if (n.isLeaf()) {
            names.add(n.leaf().pool());
          }
        });
    if (plan.root().isLeaf()) {
      names.add(plan.root().leaf().pool());
    }
    return names;
  }
}
