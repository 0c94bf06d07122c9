package dev.wf.coordinator.kafka;

import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.kafka.TypedTopics;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.KeyRequest;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the run processor writes, as values: each is encoded once, through its topic's serde, and
 * routed to that topic by header. Counts what it writes, and tells the group commit when it wrote
 * something an agent or a client waits for.
 */
final class Outbox {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final ProcessorContext<String, byte[]> context;
  private final String child;
  private final TypedTopics topics;
  private final Signer signer;
  private final CoordinatorMetrics metrics;
  private final GroupCommit commit;

  Outbox(
      ProcessorContext<String, byte[]> context,
      String child,
      TypedTopics topics,
      Signer signer,
      CoordinatorMetrics metrics,
      GroupCommit commit) {
    this.context = context;
    this.child = child;
    this.topics = topics;
    this.signer = signer;
    this.metrics = metrics;
    this.commit = commit;
  }

  void event(String runId, WorkflowEvent event) {
    metrics.event(event.type());
    send(topics.events(), runId, event);
  }

  /** Sends a step to its pool, signed (agents refuse dispatches they cannot verify). */
  void dispatch(String runId, Dispatch dispatch) {
    Topic<String, Dispatch> topic = topics.dispatch(dispatch.pool());
    byte[] value = topic.write(dispatch);
    Record<String, byte[]> r = Routes.to(topic.name(), runId, value, now());
    if (signer != null) {
      signer.sign(Signed.Purpose.DISPATCH, runId, value, now(), r.headers());
    }
    context.forward(r, child);
    commit.awaited();
    metrics.dispatch(dispatch.pool());
  }

  /** Asks the agent running an attempt to stop it. */
  void cancel(AgentControl control) {
    Topic<String, AgentControl> topic = topics.agentControl();
    byte[] value = topic.write(control);
    Record<String, byte[]> r = Routes.to(topic.name(), control.agent(), value, now());
    if (signer != null) {
      signer.sign(Signed.Purpose.CONTROL, control.agent(), value, now(), r.headers());
    }
    context.forward(r, child);
    commit.awaited();
  }

  void result(String runId, WorkflowResult result) {
    send(topics.results(), runId, result);
    commit.awaited();
    metrics.runEnded(result);
  }

  /** Refuses the run a record is about: a {@code workflow:rejected} event, and a dead letter. */
  void reject(Record<String, byte[]> record, String runId, String reason, String source) {
    LOG.warn("run {} rejected: {}", runId, reason);
    event(runId, Routes.rejected(runId, reason, now()));
    deadLetter(record, reason, source);
  }

  /** Counts a record refused as not from a trusted party. */
  void untrusted(CoordinatorMetrics.Untrusted what) {
    metrics.untrusted(what);
  }

  /** Copies a record the coordinator cannot use, as it came, to the dead-letter topic. */
  void deadLetter(Record<String, byte[]> record, String reason, String source) {
    metrics.deadLetter();
    context.forward(
        Routes.deadLetter(
            topics.deadLetter().name(), record.key(), record.value(), reason, source, now()),
        child);
  }

  /** Hands a message to the coordinator task that holds run {@code runId}. */
  void toRuns(String runId, IntakeMessage message) {
    send(topics.coordinatorRuns(), runId, message);
  }

  /** Asks the keeper of a concurrency key, or tells it a step let go. */
  void key(KeyRequest request) {
    send(topics.coordinatorKeys(), request.key(), request);
    commit.awaited();
  }

  long now() {
    return context.currentSystemTimeMs();
  }

  private <V> void send(Topic<String, V> topic, String key, V value) {
    context.forward(Routes.to(topic.name(), key, topic.write(value), now()), child);
  }
}
