package dev.wf.coordinator.kafka;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Record;

/** Output records of the coordinator carry their destination topic in a header. */
final class Routes {
  static final String TO = "wf.to";
  static final String REASON = "wf.reason";

  private Routes() {}

  static Record<String, byte[]> to(String topic, String key, byte[] value, long ts) {
    Headers h = new RecordHeaders();
    h.add(TO, topic.getBytes(StandardCharsets.UTF_8));
    return new Record<>(key, value, ts, h);
  }

  static Record<String, byte[]> deadLetter(
      String topic, String key, byte[] value, String reason, String source, long ts) {
    Record<String, byte[]> r = to(topic, key, value, ts);
    r.headers().add(REASON, reason.getBytes(StandardCharsets.UTF_8));
    r.headers().add("wf.source-topic", source.getBytes(StandardCharsets.UTF_8));
    return r;
  }

  static String topicOf(Headers headers) {
    var h = headers.lastHeader(TO);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static WorkflowEvent rejected(String runId, String reason, long now) {
    return event(EventType.WORKFLOW_REJECTED, runId, reason, now);
  }

  static WorkflowEvent event(EventType type, String runId, String reason, long now) {
    return event(type, runId, null, reason, now);
  }

  /** An event about a run as a whole (no step), from {@code agent} when one is known. */
  static WorkflowEvent event(EventType type, String runId, String agent, String reason, long now) {
    WorkflowEvent.Builder e = WorkflowEvent.of(type, runId == null ? "" : runId).reason(reason);
    if (agent != null) {
      e.agent(agent);
    }
    return e.at(Instant.ofEpochMilli(now).toString());
  }
}
