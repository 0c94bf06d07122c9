package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.coordinator.kafka.Keyspace.AttemptKey;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Verifier;
import java.util.List;
import java.util.Optional;
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
  private final CoordinatorTrust trust;

  /**
   * @param registry which agents are alive; null to never count an attempt lost
   */
  ReportHandler(
      Topic<String, StepReport> topic,
      Keyspace state,
      Plans plans,
      RunApplier runs,
      Outbox out,
      AgentRegistry registry,
      CoordinatorTrust trust) {
    this.trust = trust;
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
    Optional<String> untrusted = untrusted(record, report, plan);
    if (untrusted.isPresent()) {
      out.untrusted(CoordinatorMetrics.Untrusted.REPORT);
      LOG.warn("run {}: step event refused: {}", report.runId(), untrusted.get());
      out.deadLetter(record, "step event refused: " + untrusted.get(), source);
      return;
    }
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
   * Why the report is not to be believed, when agents are checked: it must be signed by the agent
   * it names, one the trust file lets work on the step's pool.
   */
  private Optional<String> untrusted(Record<String, byte[]> record, StepReport report, Plan plan) {
    if (trust.trust() == null) {
      return Optional.empty();
    }
    Verifier.Check c =
        trust
            .trust()
            .agentKeys()
            .check(Signed.Purpose.REPORT, record.key(), record.value(), record.headers());
    if (!c.ok()) {
      return Optional.of(c.problem() + " (claims to be from agent " + report.agent() + ")");
    }
    Plan.Node node =
        plan == null ? null : plan.node(RunMachine.pathOf(report.dispatchId())).orElse(null);
    String pool = node == null || !node.isLeaf() ? null : node.leaf().pool();
    return trust.mayReport(c.verified().signer(), report.agent(), pool);
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
