package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.kafka.TypedTopics;
import dev.wf.protocol.trust.Verifier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stop of every intake record, whatever client wrote it and however it partitioned it:
 * refuses what cannot be a submit or cancel (with a {@code workflow:rejected} event and a copy on
 * the dead-letter topic), and re-keys the rest by run id onto the coordinator's run topic, which is
 * co-partitioned with the step events.
 */
final class IntakeTriage implements Processor<String, byte[], String, byte[]> {
  static final String TO_RUNS = "triage-to-runs";
  static final String IN_PLACE = "runs";
  static final String TO_OUT = "triage-to-out";
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final TypedTopics topics;
  private final int maxBytes;
  private final CoordinatorMetrics metrics;
  private final int inPlacePartitions;
  private final CoordinatorTrust trust;
  private ProcessorContext<String, byte[]> context;

  /**
   * @param inPlacePartitions the partition count shared by the intake and run topics, or 0 when
   *     they differ: a record already on the partition its run id hashes to is then handed to the
   *     run processor in place, without the trip through the run topic (a commit cycle saved)
   */
  IntakeTriage(
      TypedTopics topics,
      int maxBytes,
      CoordinatorMetrics metrics,
      int inPlacePartitions,
      CoordinatorTrust trust) {
    this.metrics = metrics;
    this.trust = trust;
    this.inPlacePartitions = inPlacePartitions;
    this.topics = topics;
    this.maxBytes = maxBytes;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String key = record.key();
    byte[] value = record.value();
    if (value == null) {
      return; // a tombstone means nothing on the intake topic
    }
    // Only this triage says who submitted a record: a header a client set is never believed.
    record.headers().remove(CoordinatorTrust.SUBMITTER);
    if (trust.trust() != null) {
      Verifier.Check who =
          trust.submitter(key, value, record.headers(), context.currentSystemTimeMs());
      if (!who.ok()) {
        metrics.untrusted(CoordinatorMetrics.Untrusted.INTAKE);
        // Not a trusted submitter's word: nothing in it is, its run id included, so no event goes
        // to that run (a forger could otherwise make a victim's client believe it was rejected).
        reject(null, value, who.problem() + " (record key " + key + ")");
        return;
      }
      record
          .headers()
          .add(
              CoordinatorTrust.SUBMITTER, who.verified().signer().getBytes(StandardCharsets.UTF_8));
    }
    if (value.length > maxBytes) {
      reject(
          key,
          value,
          "the message is "
              + value.length
              + " bytes; the limit is "
              + maxBytes
              + " (coordinator setting max-definition-bytes)");
      return;
    }
    JsonNode msg;
    try {
      msg = Json.MAPPER.readTree(value);
    } catch (IOException e) {
      reject(key, value, "malformed JSON: " + firstLine(e.getMessage()));
      return;
    }
    if (msg == null || !msg.isObject()) {
      reject(key, value, "the message must be a JSON object with a type (" + TYPES + ")");
      return;
    }
    JsonNode type = msg.get("type");
    String t = type == null || !type.isTextual() ? null : type.textValue();
    if (t == null || !CLIENT_TYPES.contains(t)) { // an immutable set refuses contains(null)
      reject(
          key,
          value,
          t == null
              ? "the message has no type (expected " + TYPES + ")"
              : "unknown message type \"" + t + "\" (expected " + TYPES + ")");
      return;
    }
    JsonNode idNode = msg.get("runId");
    if (idNode != null && !idNode.isNull() && !idNode.isTextual()) {
      reject(key, value, "runId must be a string");
      return;
    }
    String fromMessage = idNode == null || idNode.isNull() ? null : idNode.textValue();
    String runId = fromMessage != null ? fromMessage : key;
    if (runId == null || runId.isEmpty()) {
      reject(key, value, "no run id: set runId in the message or use the run id as the record key");
      return;
    }
    if (fromMessage != null && key != null && !key.isEmpty() && !key.equals(fromMessage)) {
      reject(
          key,
          value,
          "the record key \"" + key + "\" and the message's runId \"" + fromMessage + "\" differ");
      return;
    }
    String bad = RunIds.problem(runId);
    if (bad != null) {
      reject(key, value, bad);
      return;
    }
    if ("submit".equals(t)
        && (msg.get("definition") == null || !msg.get("definition").isObject())) {
      reject(runId, value, "a submit message needs a definition (the workflow as a JSON object)");
      return;
    }
    String route = runId;
    if ("rerun".equals(t)) {
      JsonNode of = msg.get("of");
      String problem =
          of == null || !of.isTextual() ? "a rerun names the run to run again in \"of\"" : null;
      problem = problem != null ? problem : RunIds.problem(of.textValue());
      if (problem != null) {
        reject(runId, value, problem);
        return;
      }
      route = of.textValue(); // decided where the old run is
      if (fromMessage == null) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) msg).put("runId", runId);
        value = Json.write(msg); // the key no longer says which run is the new one
      }
    }
    Record<String, byte[]> keyed = new Record<>(route, value, record.timestamp(), record.headers());
    context.forward(keyed, onItsPartition(route) ? IN_PLACE : TO_RUNS);
  }

  /**
   * True when the run's step events land on the partition this record came from: the partition the
   * Java producer's own partitioner gives the run id, as it does for every record keyed by it.
   */
  private static final java.util.Set<String> CLIENT_TYPES =
      java.util.Set.of("submit", "cancel", "signal", "rerun");

  private static final String TYPES = "submit, cancel, signal or rerun";

  private boolean onItsPartition(String runId) {
    int here = context.recordMetadata().map(m -> m.partition()).orElse(-1);
    return inPlacePartitions > 0
        && here
            == BuiltInPartitioner.partitionForKey(
                runId.getBytes(StandardCharsets.UTF_8), inPlacePartitions);
  }

  private void reject(String key, byte[] value, String reason) {
    String runId = key != null && RunIds.problem(key) == null ? key : null;
    LOG.warn("rejected intake record{}: {}", runId == null ? "" : " for run " + runId, reason);
    metrics.deadLetter();
    long now = context.currentSystemTimeMs();
    context.forward(
        Routes.deadLetter(
            topics.deadLetter().name(), key, value, reason, topics.intake().name(), now),
        TO_OUT);
    if (runId != null) {
      byte[] event = topics.events().write(Routes.rejected(runId, reason, now));
      context.forward(Routes.to(topics.events().name(), runId, event, now), TO_OUT);
    }
  }

  static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.lines().findFirst().orElse(s);
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }
}
