package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.kafka.Keyspace.AttemptKey;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.message.StepReport;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents' reports on their attempts, and what their silence means: the attempts a report says
 * started are noted until it says they ended, and those of an agent found dead are lost.
 */
final class ReportHandler {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final Topic<String, StepReport> topic;
  private final Keyspace state;
  private final Plans plans;
  private final RunApplier runs;
  private final Outbox out;
  private final AgentRegistry registry;

  /**
   * @param registry which agents are alive; null to never count an attempt lost
   */
  ReportHandler(
      Topic<String, StepReport> topic,
      Keyspace state,
      Plans plans,
      RunApplier runs,
      Outbox out,
      AgentRegistry registry) {
    this.topic = topic;
    this.state = state;
    this.plans = plans;
    this.runs = runs;
    this.out = out;
    this.registry = registry;
  }

  void handle(Record<String, byte[]> record, String source) {
    StepReport report;
    try {
      report = topic.read(record.value());
    } catch (SerializationException e) {
      out.deadLetter(
          record, "cannot read the step event: " + IntakeTriage.firstLine(e.getMessage()), source);
      return;
    }
    if (report.runId() == null
        || report.dispatchId() == null
        || !report.runId().equals(record.key())) {
      out.deadLetter(
          record, "a step event needs runId (equal to the record key) and dispatchId", source);
      return;
    }
    Plan plan = plans.get(report.runId());
    if (plan == null && report instanceof StepReport.Refused refused) {
      // A dispatch the coordinator never sent: someone wrote to a dispatch topic. Say so loudly.
      LOG.warn(
          "agent {} refused a dispatch for unknown run {}: {}",
          refused.agent(),
          refused.runId(),
          refused.reason());
      out.event(
          refused.runId(),
          Routes.event(
              EventType.DISPATCH_REFUSED,
              refused.runId(),
              refused.agent(),
              refused.reason(),
              out.now()));
      return;
    }
    if (plan == null) {
      LOG.warn("step event for unknown run {} from agent {}", report.runId(), report.agent());
      out.deadLetter(record, "step event for unknown run " + report.runId(), source);
      return;
    }
    runs.apply(report.runId(), plan, new Input.Report(report));
    AttemptKey attempt = new AttemptKey(report.agent(), report.runId(), report.dispatchId());
    if (report instanceof StepReport.Started) {
      state.attempts.put(attempt, Boolean.TRUE);
    } else if (report instanceof StepReport.Finished || report instanceof StepReport.Returned) {
      state.attempts.delete(attempt);
    }
  }

  /**
   * The punctuation: attempts of agents that went silent are lost; the machine dispatches again.
   */
  void checkAgents(long wallNow) {
    if (registry == null || !registry.caughtUp()) {
      return;
    }
    List<AttemptKey> lost =
        state.startedAttempts().stream().filter(a -> registry.isDead(a.agent())).toList();
    for (AttemptKey a : lost) {
      state.attempts.delete(a);
      Plan plan = plans.get(a.runId());
      if (plan != null) {
        String why = registry.why(a.agent());
        LOG.info("run {}: attempt {} lost: {}", a.runId(), a.dispatchId(), why);
        runs.apply(a.runId(), plan, new Input.AttemptLost(a.dispatchId(), why));
      }
    }
  }
}
