package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.WorkflowEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/** Reads one run's events from the events topic: only the partition its key maps to. */
final class RunHistory implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;
  private final TopicPartition partition;
  private final long endAtStart;

  RunHistory(String bootstrap, Topics topics, Map<String, String> props, String runId) {
    this.consumer = Kafka.reader(bootstrap, props, 50);
    List<PartitionInfo> parts = consumer.partitionsFor(topics.events(), Duration.ofSeconds(15));
    if (parts == null || parts.isEmpty()) {
      throw new UserError(
          Main.UNREACHABLE,
          "no topic " + topics.events() + ": is a coordinator running on this cluster?");
    }
    int p =
        BuiltInPartitioner.partitionForKey(runId.getBytes(StandardCharsets.UTF_8), parts.size());
    this.partition = new TopicPartition(topics.events(), p);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    this.endAtStart = consumer.endOffsets(List.of(partition)).get(partition);
  }

  /** Replays what is there now; with {@code follow}, goes on until {@code stop} says so. */
  void read(
      String runId,
      Consumer<WorkflowEvent> onEvent,
      boolean follow,
      java.util.function.BooleanSupplier stop) {
    while (true) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        if (!runId.equals(r.key()) || r.value() == null) {
          continue;
        }
        try {
          onEvent.accept(Json.read(r.value(), WorkflowEvent.class));
        } catch (IOException | RuntimeException e) {
          // not an event of ours: skip
        }
        if (stop.getAsBoolean()) {
          return;
        }
      }
      if (!follow && consumer.position(partition) >= endAtStart) {
        return;
      }
      if (stop.getAsBoolean()) {
        return;
      }
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
