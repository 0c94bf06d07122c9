package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Drives many runs through the topics as an outside client would: writes submissions to the intake
 * topic and reads results from the results topic on a thread of its own, noting when each run's
 * result became visible. Open it before submitting.
 */
final class LoadDriver implements AutoCloseable {
  /** What became of a batch of runs: each run's submit-to-result time and the wall time. */
  record Batch(List<Double> runMillis, double wallMillis, int failed, int largestResultBytes) {}

  private final dev.wf.protocol.trust.Signer submitter;
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Map<String, Long> submittedAt = new ConcurrentHashMap<>();
  private final Map<String, Boolean> waiting = new ConcurrentHashMap<>();
  private final Map<String, Long> endedAt = new ConcurrentHashMap<>();
  private final Map<String, Boolean> succeeded = new ConcurrentHashMap<>();
  private final Map<String, Integer> resultBytes = new ConcurrentHashMap<>();
  private final Semaphore ended = new Semaphore(0);
  private final Thread reader;
  private volatile boolean closed;

  LoadDriver(String bootstrap, Topics topics, Signer submitter) {
    this.submitter = submitter;
    this.topics = topics;
    this.producer = Kafka.writer(bootstrap, Map.of());
    this.consumer = Kafka.reader(bootstrap, Map.of(), 5);
    Kafka.assignFromEnd(consumer, topics.results());
    this.reader = new Thread(this::read, "wf-bench-results");
    reader.setDaemon(true);
    reader.start();
  }

  private void read() {
    try {
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          long now = System.nanoTime();
          if (r.key() == null || waiting.remove(r.key()) == null) {
            continue;
          }
          endedAt.put(r.key(), now);
          succeeded.put(r.key(), succeeded(r.value()));
          resultBytes.put(r.key(), r.value() == null ? 0 : r.value().length);
          ended.release();
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    }
  }

  private static boolean succeeded(byte[] result) {
    try {
      JsonNode success = Json.MAPPER.readTree(result).get("success");
      return success != null && success.asBoolean();
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** Submits {@code definition} and returns its run id at once. */
  String submit(JsonNode definition) {
    String runId = "bench-" + UUID.randomUUID();
    byte[] value = Json.write(new IntakeMessage.Submit(runId, definition, Map.of()));
    waiting.put(runId, Boolean.TRUE);
    submittedAt.put(runId, System.nanoTime());
    producer.send(
        Signed.record(
            topics.intake(),
            runId,
            value,
            Signed.Purpose.INTAKE,
            submitter,
            System.currentTimeMillis()));
    return runId;
  }

  /**
   * Runs {@code total} runs, {@code definitionOf.apply(i)} the i-th, keeping {@code inFlight} of
   * them submitted and not yet ended; returns when all have ended.
   */
  Batch run(int total, int inFlight, IntFunction<JsonNode> definitionOf, Duration timeout)
      throws InterruptedException {
    ended.drainPermits();
    List<String> ids = new ArrayList<>(total);
    long deadline = System.nanoTime() + timeout.toNanos();
    long t0 = System.nanoTime();
    int done = 0;
    for (int i = 0; i < Math.min(inFlight, total); i++) {
      ids.add(submit(definitionOf.apply(ids.size())));
    }
    producer.flush();
    while (done < total) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !ended.tryAcquire(left, TimeUnit.NANOSECONDS)) {
        throw new UserError(
            Main.RUN_FAILED,
            "benchmark: "
                + (total - done)
                + " of "
                + total
                + " runs did not end within "
                + timeout);
      }
      done++;
      if (ids.size() < total) {
        ids.add(submit(definitionOf.apply(ids.size())));
        producer.flush();
      }
    }
    double wall = (System.nanoTime() - t0) / 1e6;
    List<Double> each = new ArrayList<>(total);
    int failed = 0;
    int largest = 0;
    for (String id : ids) {
      each.add((endedAt.remove(id) - submittedAt.remove(id)) / 1e6);
      largest = Math.max(largest, resultBytes.remove(id));
      if (!succeeded.remove(id)) {
        failed++;
      }
    }
    return new Batch(each, wall, failed, largest);
  }

  void flush() {
    producer.flush();
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      reader.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close();
    producer.close(Duration.ofSeconds(5));
  }
}
