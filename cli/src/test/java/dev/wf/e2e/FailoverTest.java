package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The coordinator dies (kill -9) in the middle of runs, 100-way fan-outs included: every run
 * completes, no step is lost, and no attempt is dispatched twice (exactly-once state transitions,
 * counted on the dispatch topic as agents read it).
 */
class FailoverTest {
  private static String[] coordinatorArgs(TestStack stack, String name) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                "coordinator",
                "--bootstrap",
                stack.bootstrap(),
                "--topic-prefix",
                stack.topics().prefix(),
                "--state-dir",
                stack.dir().resolve(name).toString(),
                "--http-port",
                "0",
                "--partitions",
                "4",
                "--agent-timeout",
                "5s"));
    args.addAll(stack.keys().coordinatorArgs());
    return args.toArray(String[]::new);
  }

  static JsonNode fanOut(String name, int width) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", name).put("type", "sequential");
    ArrayNode steps = root.putArray("steps");
    ObjectNode wide = steps.addObject().put("name", name + " fan-out").put("type", "parallel");
    ArrayNode leaves = wide.putArray("steps");
    for (int i = 0; i < width; i++) {
      ObjectNode leaf = leaves.addObject().put("name", name + " leaf " + i);
      leaf.putObject("action").put("kind", "sleep").put("duration", 300 + (i % 7) * 100);
    }
    for (int i = 0; i < 3; i++) {
      steps
          .addObject()
          .put("name", name + " then " + i)
          .putObject("action")
          .put("kind", "sleep")
          .put("duration", 400);
    }
    return root;
  }

  @Test
  void shouldCompleteEveryRunWithoutLosingOrDoublingAStepWhenTheCoordinatorIsKilled()
      throws Exception {
    try (TestStack stack = new TestStack(false)) {
      stack.agent("worker", c -> c.withMaxConcurrent(200), "default");
      Child first =
          Child.start(
              stack.dir().resolve("logs/coordinator-1.log"), coordinatorArgs(stack, "coord"));
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(stack.submit(fanOut("Run " + i, 100), Map.of()));
      }
      // kill it while the fan-outs are in flight
      stack.awaitEvent(
          runs.get(3),
          e -> e.type() == EventType.STEP_COMPLETE && e.step().contains("leaf"),
          Duration.ofSeconds(60));
      first.kill9();
      long killedAt = System.currentTimeMillis();
      try (Child second =
          Child.start(
              stack.dir().resolve("logs/coordinator-2.log"), coordinatorArgs(stack, "coord"))) {
        assertThat(second.alive()).isTrue();
        for (String runId : runs) {
          WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(120));
          assertThat(r.status()).as(runId).isEqualTo(RunStatus.SUCCESS);
          assertThat(r.steps()).as("every step listed once").hasSize(1 + 1 + 100 + 3);
        }
        System.out.printf(
            "coordinator kill -9 and restart: %d runs of 104 steps completed %d ms after the kill%n",
            runs.size(), System.currentTimeMillis() - killedAt);
      }
      Map<String, Integer> dispatches = countDispatches(stack);
      assertThat(dispatches).hasSize(runs.size() * 103);
      assertThat(dispatches.values()).as("no attempt dispatched twice").containsOnly(1);
    }
  }

  @Test
  void shouldHandTheRunsOfAKilledInstanceToTheOther() throws Exception {
    try (TestStack stack = new TestStack(false)) {
      stack.agent("worker", c -> c.withMaxConcurrent(50), "default");
      Child a = Child.start(stack.dir().resolve("logs/a.log"), coordinatorArgs(stack, "coord-a"));
      Child b = Child.start(stack.dir().resolve("logs/b.log"), coordinatorArgs(stack, "coord-b"));
      // wait until both instances have partitions: a run completes
      assertThat(
              stack
                  .awaitResult(stack.submit(fanOut("Warm", 2), Map.of()), Duration.ofSeconds(60))
                  .success())
          .isTrue();
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        runs.add(stack.submit(chain("Chain " + i, 20), Map.of()));
      }
      stack.awaitEvent(
          runs.get(7), e -> e.type() == EventType.STEP_COMPLETE, Duration.ofSeconds(60));
      a.kill9();
      long killedAt = System.currentTimeMillis();
      long worstGap = 0;
      for (String runId : runs) {
        WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(120));
        assertThat(r.status()).as(runId).isEqualTo(RunStatus.SUCCESS);
        assertThat(r.steps()).hasSize(21);
        worstGap = Math.max(worstGap, largestGapAfter(stack.events(runId), killedAt));
      }
      System.out.printf(
          "two coordinators, one killed: the longest pause of a run after the kill was %d ms%n",
          worstGap);
      Map<String, Integer> dispatches = countDispatches(stack);
      assertThat(dispatches.values()).as("no attempt dispatched twice").containsOnly(1);
      b.close();
    }
  }

  static JsonNode chain(String name, int n) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", name).put("type", "sequential");
    ArrayNode steps = root.putArray("steps");
    for (int i = 0; i < n; i++) {
      steps
          .addObject()
          .put("name", name + " step " + i)
          .putObject("action")
          .put("kind", "sleep")
          .put("duration", 250);
    }
    return root;
  }

  private static long largestGapAfter(List<WorkflowEvent> events, long t) {
    long gap = 0;
    long previous = -1;
    for (WorkflowEvent e : events) {
      long at = Instant.parse(e.at()).toEpochMilli();
      if (previous >= 0 && at >= t - 5_000) {
        gap = Math.max(gap, at - previous);
      }
      previous = at;
    }
    return gap;
  }

  /** Dispatches per run and step path, as a read_committed agent sees them. */
  static Map<String, Integer> countDispatches(TestStack stack) throws Exception {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    Map<String, Integer> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      String topic = stack.topics().dispatch("default");
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(topic, Duration.ofSeconds(10))
          .forEach(p -> parts.add(new TopicPartition(topic, p.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
          && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          JsonNode d = Json.MAPPER.readTree(r.value());
          if (!d.path("path").asText().contains("Warm")) {
            out.merge(d.get("runId").asText() + " " + d.get("path").asText(), 1, Integer::sum);
          }
        }
      }
    }
    return out;
  }
}
