package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.KeyKeeper;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Rejection;
import dev.wf.coordinator.engine.Reruns;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.coordinator.engine.Variables;
import dev.wf.protocol.definition.Problem;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.message.IntakeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submissions, cancellations, signals and reruns, keyed by run id (triaged already): a new run's
 * definition is validated, its pools' topics made, its definition stored, and the run started; a
 * rerun is decided where the old run is and started where the new one goes; the rest goes to the
 * machine as it is.
 */
final class IntakeHandler {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final Topic<String, IntakeMessage> topic;
  private final WorkflowValidator.Limits limits;
  private final Consumer<Collection<String>> ensurePools;
  private final Plans plans;
  private final RunApplier runs;
  private final Outbox out;
  private final CoordinatorTrust trust;

  IntakeHandler(
      Topic<String, IntakeMessage> topic,
      WorkflowValidator.Limits limits,
      Consumer<Collection<String>> ensurePools,
      Plans plans,
      RunApplier runs,
      Outbox out,
      CoordinatorTrust trust) {
    this.trust = trust;
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
      if (allowedOnRun(record, runId, "cancel", source)) {
        cancel(runId, c);
      }
    } else if (msg instanceof IntakeMessage.Signal signal) {
      if (allowedOnRun(record, runId, "signal", source)) {
        signal(runId, signal);
      }
    } else if (msg instanceof IntakeMessage.Rerun rerun) {
      if (allowedOnRun(record, rerun.of(), "rerun", source)) {
        rerunFrom(record, rerun, source);
      }
    } else if (msg instanceof IntakeMessage.KeyAnswer answer) {
      keyAnswer(runId, answer);
    } else if (msg instanceof IntakeMessage.RerunStart start) {
      rerunStart(record, start, source);
    } else {
      submit(record, runId, (IntakeMessage.Submit) msg, source);
    }
  }

  /**
   * Whether the record's submitter may act on run {@code runId}: only one trusted with every pool
   * the run's steps use. A refusal goes to the dead letters alone: nothing is said on that run's
   * events, which belong to whoever started it.
   */
  private boolean allowedOnRun(
      Record<String, byte[]> record, String runId, String what, String source) {
    Plan plan = plans.get(runId);
    Optional<String> refused =
        plan == null ? Optional.empty() : trust.mayUse(submitter(record), plan.pools());
    refused.ifPresent(
        why -> {
          LOG.warn("{} of run {} refused: {}", what, runId, why);
          out.untrusted(CoordinatorMetrics.Untrusted.INTAKE);
          out.deadLetter(record, what + " refused: " + why, source);
        });
    return refused.isEmpty();
  }

  private static String submitter(Record<String, byte[]> record) {
    Header h = record.headers().lastHeader(CoordinatorTrust.SUBMITTER);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  private void keyAnswer(String runId, IntakeMessage.KeyAnswer a) {
    Plan plan = plans.get(runId);
    KeyKeeper.Answer answer;
    try {
      answer = KeyKeeper.Answer.valueOf(String.valueOf(a.answer()).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      LOG.warn("run {}: key answer \"{}\" not understood", runId, a.answer());
      return;
    }
    if (plan != null) {
      String holder = a.holder() == null ? null : "run " + a.holder();
      runs.apply(runId, plan, new Input.KeyAnswer(answer, a.key(), a.path(), holder));
    }
  }

  private void signal(String runId, IntakeMessage.Signal signal) {
    String refused = null;
    if (signal.step() == null || signal.step().isBlank()) {
      refused = "a signal names the approval step it answers in \"step\"";
    } else if (!IntakeMessage.Signal.APPROVE.equals(signal.decision())
        && !IntakeMessage.Signal.REJECT.equals(signal.decision())) {
      refused =
          "a signal's decision is \"approve\" or \"reject\", not \"" + signal.decision() + "\"";
    }
    Plan plan = refused == null ? plans.get(runId) : null;
    if (refused == null && plan == null) {
      refused = "no run " + runId + " (or it ended longer ago than the coordinator keeps runs)";
    }
    if (refused != null) {
      LOG.info("signal for run {} refused: {}", runId, refused);
      out.event(
          runId, Routes.event(EventType.SIGNAL_REFUSED, runId, signal.by(), refused, out.now()));
      return;
    }
    LOG.info("run {}: {} of {} by {}", runId, signal.decision(), signal.step(), signal.by());
    runs.apply(
        runId,
        plan,
        new Input.Signal(runId, signal.step(), signal.approves(), signal.by(), signal.comment()));
  }

  /**
   * A rerun of a run this task holds (the triage routed it by the old run's id): what it takes from
   * the old run is decided here, and the new run starts on its own partition.
   */
  private void rerunFrom(Record<String, byte[]> record, IntakeMessage.Rerun rerun, String source) {
    String of = rerun.of();
    Plan plan = plans.get(of);
    RunStore old = plan == null ? null : runs.view(of);
    String refused = null;
    if (old == null || old.run() == null) {
      refused =
          "rerun of "
              + of
              + ": no such run (unknown, or ended longer ago than the coordinator keeps runs)";
    } else if (!old.run().ended()) {
      refused = "rerun of " + of + ": the run has not ended";
    }
    Optional<Reruns.Reuse> reuse =
        refused == null ? Reruns.of(plan, old, rerun.from()) : Optional.empty();
    if (refused == null && reuse.isEmpty()) {
      refused = "rerun of " + of + ": the workflow has no step named \"" + rerun.from() + "\"";
    }
    if (refused != null) {
      out.reject(record, rerun.runId(), refused, source);
      return;
    }
    LOG.info(
        "run {} reruns {}{}: {} steps taken as they were",
        rerun.runId(),
        of,
        rerun.from() == null ? "" : " from " + rerun.from(),
        reuse.get().steps().size());
    out.toRuns(
        rerun.runId(),
        new IntakeMessage.RerunStart(
            rerun.runId(), of, plans.definition(of), Variables.inputsOf(old), reuse.get().steps()));
  }

  private void rerunStart(
      Record<String, byte[]> record, IntakeMessage.RerunStart start, String source) {
    Reruns.Reuse reuse = new Reruns.Reuse(start.of(), start.reuse());
    begin(record, start.runId(), start.definition(), start.inputs(), reuse, source);
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
    begin(record, runId, submit.definition(), submit.inputs(), null, source);
  }

  private void begin(
      Record<String, byte[]> record,
      String runId,
      JsonNode definition,
      Map<String, JsonNode> inputs,
      Reruns.Reuse rerun,
      String source) {
    Plan existing = plans.get(runId);
    if (existing != null && rerun == null && !allowedOnRun(record, runId, "submit", source)) {
      return;
    }
    if (existing != null) {
      // The machine decides: the same run id again is a duplicate, whatever its definition.
      Optional<Rejection> refused =
          runs.apply(runId, existing, new Input.StartRun(runId, inputs, rerun));
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
    WorkflowValidator.Validation v = WorkflowValidator.validate(definition, limits);
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
    Optional<String> refused =
        rerun != null
            ? trust.mayUse(CoordinatorTrust.API, plan.pools())
            : trust.mayUse(submitter(record), plan.pools());
    if (refused.isPresent()) {
      out.untrusted(CoordinatorMetrics.Untrusted.INTAKE);
      out.reject(record, runId, refused.get(), source);
      return;
    }
    try {
      ensurePools.accept(plan.pools());
    } catch (IllegalArgumentException e) {
      // A pool whose topic Kafka will not make (its name collides with another pool's, "a.b" and
      // "a_b"): this run cannot start, and the others go on.
      out.reject(record, runId, e.getMessage(), source);
      return;
    }
    plans.accepted(runId, definition, plan);
    LOG.info("run {} started: {} ({} steps)", runId, plan.root().name(), plan.size());
    runs.apply(runId, plan, new Input.StartRun(runId, inputs, rerun));
  }
}
