package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.agent.Agent;
import dev.wf.agent.AgentConfig;
import dev.wf.broker.EmbeddedBroker;
import dev.wf.coordinator.kafka.Coordinator;
import dev.wf.coordinator.kafka.CoordinatorConfig;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wf bench}: measures, in one run, the broker's raw round trip, wf's per-step overhead on a
 * sequential chain of no-op steps, and the time of a wide parallel group of no-op steps.
 */
@Command(
    name = "bench",
    description = "Measure Kafka's round trip and wf's per-step overhead on this machine.",
    mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this cluster instead of a fresh embedded broker (default: $WF_BOOTSTRAP).")
  String bootstrap;

  @Option(
      names = "--commit-interval",
      paramLabel = "MS",
      defaultValue = "10",
      description = "The coordinator's commit.interval.ms (default: ${DEFAULT-VALUE}).")
  long commitInterval;

  @Option(
      names = "--steps",
      defaultValue = "20",
      description = "Steps of the sequential chain (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(
      names = "--chains",
      defaultValue = "5",
      description = "Runs of the chain, one after another (default: ${DEFAULT-VALUE}).")
  int chains;

  @Option(
      names = "--width",
      defaultValue = "100",
      description = "Width of the parallel group (default: ${DEFAULT-VALUE}).")
  int width;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String cluster = Kafka.bootstrap(bootstrap);
    Path tmp = Files.createTempDirectory("wf-bench-");
    EmbeddedBroker broker = null;
    try {
      if (cluster == null) {
        err.println("starting a fresh embedded broker ...");
        err.flush();
        broker = EmbeddedBroker.start(tmp.resolve("broker"), 0, "localhost");
        cluster = broker.bootstrap();
      } else {
        Kafka.checkReachable(cluster, Map.of(), 10_000);
      }
      Topics topics = new Topics("bench" + UUID.randomUUID().toString().substring(0, 6) + ".");
      out.printf(
          Locale.ROOT,
          "wf bench on %s (%d cores), coordinator commit.interval.ms=%d%n",
          cluster,
          Runtime.getRuntime().availableProcessors(),
          commitInterval);
      List<Double> raw = rawRoundTrip(cluster, topics.prefix() + "rtt", 500);
      out.printf(
          Locale.ROOT,
          "kafka round trip (200 B, acks=all, one in flight, %d samples): p50 %.1f ms  p99 %.1f ms%n",
          raw.size(),
          pct(raw, 50),
          pct(raw, 99));
      out.flush();

      CoordinatorConfig cc =
          CoordinatorConfig.defaults(cluster, tmp.resolve("state"))
              .withTopics(topics)
              .withCommitInterval(commitInterval)
              .withPartitions(1, (short) 1);
      try (Coordinator coordinator = Coordinator.start(cc);
          Agent agent =
              Agent.start(
                  AgentConfig.defaults(cluster, "bench-agent", List.of("default"), tmp)
                      .withTopics(topics)
                      .withMaxConcurrent(Math.max(8, width)))) {
        coordinator.awaitRunning(Duration.ofSeconds(60));
        err.println("coordinator and agent " + agent.id() + " running; measuring ...");
        err.flush();
        try (RunClient client = new RunClient(cluster, topics, Map.of())) {
          run(client, chain(3), null); // warm up
          List<Double> perStep = new ArrayList<>();
          List<Double> chainTotals = new ArrayList<>();
          for (int i = 0; i < chains; i++) {
            List<WorkflowEvent> events = new ArrayList<>();
            long took = run(client, chain(steps), events);
            chainTotals.add((double) took);
            long previous = -1;
            for (WorkflowEvent e : events) {
              if (e.type() == EventType.STEP_COMPLETE && e.path().contains(".sequential[")) {
                long at = Instant.parse(e.at()).toEpochMilli();
                if (previous >= 0) {
                  perStep.add((double) (at - previous));
                }
                previous = at;
              }
            }
          }
          out.printf(
              Locale.ROOT,
              "wf per step, %d-step sequential no-op chain (%d samples): p50 %.1f ms  p99 %.1f ms  (chain end to end: p50 %.0f ms)%n",
              steps,
              perStep.size(),
              pct(perStep, 50),
              pct(perStep, 99),
              pct(chainTotals, 50));
          out.flush();
          List<Double> wide = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            wide.add((double) run(client, parallel(width), null));
          }
          out.printf(
              Locale.ROOT,
              "wf %d-way parallel no-op group, submit to result (3 runs): best %.0f ms  median %.0f ms%n",
              width,
              Collections.min(wide),
              pct(wide, 50));
          out.flush();
        }
      }
      return Main.OK;
    } finally {
      if (broker != null) {
        broker.close();
      }
      LocalStack.deleteTree(tmp);
    }
  }

  /** Submits and waits; returns the time from submit to the end as the client saw it. */
  private static long run(RunClient client, JsonNode def, List<WorkflowEvent> events) {
    String runId = "bench-" + UUID.randomUUID();
    long t0 = System.nanoTime();
    client.submit(runId, def, Map.of());
    RunClient.Outcome o =
        client.follow(
            runId,
            e -> {
              if (events != null) {
                events.add(e);
              }
            },
            Duration.ofMinutes(5));
    if (o.result() == null || !o.result().success()) {
      throw new UserError(Main.RUN_FAILED, "benchmark run " + runId + " did not succeed");
    }
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static JsonNode chain(int n) {
    return group("Chain", "sequential", n);
  }

  static JsonNode parallel(int n) {
    return group("Fan-out", "parallel", n);
  }

  private static JsonNode group(String name, String type, int n) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", name).put("type", type);
    ArrayNode steps = root.putArray("steps");
    for (int i = 0; i < n; i++) {
      steps.addObject().put("name", "step-" + i).putObject("action").put("kind", "noop");
    }
    return root;
  }

  private static List<Double> rawRoundTrip(String bootstrap, String topic, int samples)
      throws Exception {
    Properties a = new Properties();
    a.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "500");
    List<Double> out = new ArrayList<>();
    byte[] payload = new byte[200];
    try (KafkaProducer<String, byte[]> producer =
            new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, byte[]> consumer =
            new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      for (int i = 0; i < samples + 50; i++) {
        long t0 = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, "k", payload)).get();
        boolean got = false;
        while (!got) {
          for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            got = true;
          }
        }
        if (i >= 50) {
          out.add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    return out;
  }

  static double pct(List<Double> values, int p) {
    List<Double> s = new ArrayList<>(values);
    Collections.sort(s);
    if (s.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }
}
