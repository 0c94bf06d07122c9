package dev.wf.cli.dashboard;

import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the events, results and agents topics from their beginning (committed records only, no
 * consumer group: every dashboard reads everything) and folds each batch into the live view.
 */
final class TopicFeed implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.dashboard");

  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final LiveView view;
  private volatile boolean stopped;

  TopicFeed(KafkaConsumer<String, byte[]> consumer, Topics topics, LiveView view) {
    this.consumer = consumer;
    this.topics = topics;
    this.view = view;
  }

  @Override
  public void run() {
    try {
      if (!assign()) {
        return;
      }
      while (!stopped) {
        List<LiveView.Input> batch = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          LiveView.Input in = decode(r);
          if (in != null) {
            batch.add(in);
          }
        }
        if (!batch.isEmpty()) {
          view.fold(batch);
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("dashboard stopped reading the topics: {}", e.toString());
    } finally {
      consumer.close();
    }
  }

  /** Waits until the three topics exist (a dashboard may start before the coordinator). */
  private boolean assign() {
    List<String> names = List.of(topics.events(), topics.results(), topics.agents());
    boolean told = false;
    while (!stopped) {
      List<TopicPartition> parts = new ArrayList<>();
      boolean all = true;
      for (String t : names) {
        List<PartitionInfo> ps = consumer.partitionsFor(t, Duration.ofSeconds(10));
        if (ps == null || ps.isEmpty()) {
          all = false;
          break;
        }
        ps.forEach(p -> parts.add(new TopicPartition(t, p.partition())));
      }
      if (all) {
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        LOG.info("dashboard reading {} from the beginning", names);
        return true;
      }
      if (!told) {
        LOG.info("dashboard waiting for topics {} (is a coordinator running?)", names);
        told = true;
      }
      try {
        Thread.sleep(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private LiveView.Input decode(ConsumerRecord<String, byte[]> r) {
    String topic = r.topic();
    try {
      if (topic.equals(topics.agents())) {
        return new LiveView.Input.Heartbeat(
            r.key(), r.value() == null ? null : Json.read(r.value(), AgentHeartbeat.class));
      }
      if (r.value() == null) {
        return null; // a compacted-away result: the run stays as the events told it
      }
      if (topic.equals(topics.results())) {
        WorkflowResult result = WorkflowResultReader.read(r.value());
        return result == null ? null : new LiveView.Input.Result(result, r.timestamp());
      }
      return new LiveView.Input.Event(Json.read(r.value(), WorkflowEvent.class), r.timestamp());
    } catch (IOException | RuntimeException e) {
      // someone else's record on a shared topic: not ours to judge, and not worth a line each
      return null;
    }
  }

  void stop() {
    stopped = true;
    consumer.wakeup();
  }
}
