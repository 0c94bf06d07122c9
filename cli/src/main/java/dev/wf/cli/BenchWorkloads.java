package dev.wf.cli;

import static dev.wf.cli.BenchCommand.pct;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.trust.Signer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/** The workloads of {@code wf bench}, each driven through the topics as an outside client would. */
final class BenchWorkloads implements AutoCloseable {
  /** One measured workload: an id, what it is, its figures, and the line that shows them. */
  record Row(String id, String workload, Map<String, Object> figures, String text) {}

  private static final Duration LONG = Duration.ofMinutes(10);
  private final String bootstrap;
  private final Signer submitter;
  private final Topics topics;
  private final LoadDriver driver;
  private final KafkaStreams coordinator;

  BenchWorkloads(String bootstrap, Topics topics, KafkaStreams coordinator, Signer submitter) {
    this.submitter = submitter;
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.coordinator = coordinator;
    this.driver = new LoadDriver(bootstrap, topics, submitter);
  }

  /**
   * Several seconds of every shape first, so that the figures are those of a service that has been
   * up a while (compiled code, warm caches), not of its first minute.
   */
  void warmUp() throws Exception {
    driver.run(400, 20, i -> BenchCommand.chain("Warm chain", 5), LONG);
    driver.run(5, 1, i -> BenchCommand.parallel("Warm fan-out", 1000), LONG);
    driver.run(100, 1, i -> BenchCommand.chain("Warm chain", 3), LONG);
  }

  /**
   * Measures workload {@code id}, and beside it what the coordinator's stream threads did: how many
   * transactions they committed, how long a commit took, how many records each carried.
   */
  Row measure(String id, int waitingRuns) throws Exception {
    Map<String, Double> before = streamsTotals();
    Row r = workload(id, waitingRuns);
    Map<String, Double> after = streamsTotals();
    double commits = after.get("commit-total") - before.get("commit-total");
    double records = after.get("process-total") - before.get("process-total");
    Map<String, Object> figures = new LinkedHashMap<>(r.figures());
    figures.put("coordinatorCommits", (long) commits);
    figures.put("recordsPerCommit", BenchCommand.BenchReport.round(records / Math.max(1, commits)));
    figures.put(
        "commitLatencyAvgMs", BenchCommand.BenchReport.round(after.get("commit-latency-avg")));
    return new Row(
        r.id(),
        r.workload(),
        figures,
        r.text()
            + fmt(
                "  [%d commits, %.1f records each, commit avg %.1f ms]",
                (long) commits, records / Math.max(1, commits), after.get("commit-latency-avg")));
  }

  /** Sums of the coordinator's thread-level commit and process metrics. */
  private Map<String, Double> streamsTotals() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("commit-total", 0.0);
    m.put("process-total", 0.0);
    m.put("commit-latency-avg", 0.0);
    int threads = 0;
    for (Metric metric : coordinator.metrics().values()) {
      MetricName n = metric.metricName();
      if (!n.group().equals("stream-thread-metrics") || !m.containsKey(n.name())) {
        continue;
      }
      Object v = metric.metricValue();
      if (v instanceof Number num && !Double.isNaN(num.doubleValue())) {
        m.merge(n.name(), num.doubleValue(), Double::sum);
        if (n.name().equals("commit-latency-avg")) {
          threads++;
        }
      }
    }
    m.put("commit-latency-avg", m.get("commit-latency-avg") / Math.max(1, threads));
    return m;
  }

  private Row workload(String id, int waitingRuns) throws Exception {
    return switch (id) {
      case "step" -> perStep(20, 5);
      case "chain10" ->
          oneAtATime(
              id,
              "10 sequential no-op steps, submit to result",
              20,
              BenchCommand.chain("Chain of 10", 10));
      case "par100" ->
          oneAtATime(
              id,
              "100-way parallel + join, one run",
              10,
              BenchCommand.parallel("Fan-out 100", 100));
      case "par1000" ->
          oneAtATime(
              id, "1,000-way parallel, one run", 3, BenchCommand.parallel("Fan-out 1000", 1000));
      case "par10000" ->
          oneAtATime(
              id,
              "10,000-way parallel, one run",
              1,
              BenchCommand.parallel("Fan-out 10000", 10_000));
      case "each1000" ->
          oneAtATime(
              id,
              "forEach over 1,000 items, one run",
              3,
              BenchCommand.forEach("For each of 1000", 1000));
      case "each10000" ->
          oneAtATime(
              id,
              "forEach over 10,000 items, one run",
              1,
              BenchCommand.forEach("For each of 10000", 10_000));
      case "runs50" ->
          sustained(id, "no-op steps/s, 50 runs in flight, each its own workflow", true);
      case "runs50same" -> sustained(id, "no-op steps/s, 50 runs of ONE workflow in flight", false);
      case "memory" -> memory(waitingRuns);
      default -> throw new IllegalArgumentException(id);
    };
  }

  /** Time between successive step:complete events of a sequential chain, as the events say. */
  private Row perStep(int steps, int chains) {
    List<Double> perStep = new ArrayList<>();
    try (RunClient client = new RunClient(bootstrap, topics, Map.of(), submitter)) {
      for (int i = 0; i < chains; i++) {
        String runId = "bench-" + UUID.randomUUID();
        List<WorkflowEvent> events = new ArrayList<>();
        client.submit(runId, BenchCommand.chain("Chain", steps), Map.of());
        RunClient.Outcome o = client.follow(runId, events::add, LONG);
        if (o.result() == null || !o.result().success()) {
          throw new UserError(Main.RUN_FAILED, "benchmark run " + runId + " did not succeed");
        }
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
    }
    return new Row(
        "step",
        "per-step overhead in a " + steps + "-step chain",
        figures("samples", perStep.size(), "p50Ms", pct(perStep, 50), "p99Ms", pct(perStep, 99)),
        fmt(
            "p50 %.1f ms  p99 %.1f ms  (%d steps)",
            pct(perStep, 50), pct(perStep, 99), perStep.size()));
  }

  /** {@code runs} runs of {@code def}, one at a time, submit to result as a client sees it. */
  private Row oneAtATime(String id, String workload, int runs, JsonNode def) throws Exception {
    LoadDriver.Batch b = driver.run(runs, 1, i -> def, LONG);
    checkSucceeded(b, workload);
    List<Double> t = b.runMillis();
    String text =
        (runs == 1
                ? fmt("%.0f ms", t.get(0))
                : fmt(
                    "p50 %.0f ms  min %.0f ms  max %.0f ms  (%d runs)",
                    pct(t, 50), pct(t, 0), pct(t, 100), runs))
            + fmt("; result %d KB", b.largestResultBytes() / 1024);
    Map<String, Object> measured =
        figures(
            "runs",
            runs,
            "p50Ms",
            pct(t, 50),
            "minMs",
            pct(t, 0),
            "maxMs",
            pct(t, 100),
            "resultBytes",
            b.largestResultBytes());
    return new Row(id, workload, measured, text);
  }

  /**
   * 500 runs of a 10-step chain, 50 in flight at all times: leaf steps ended per second, and each
   * run's submit-to-result time. {@code distinct}: each run has a workflow of its own.
   */
  private Row sustained(String id, String workload, boolean distinct) throws Exception {
    int runs = 500;
    int steps = 10;
    JsonNode same = BenchCommand.chain("Load", steps);
    LoadDriver.Batch b =
        driver.run(runs, 50, i -> distinct ? BenchCommand.chain("Load " + i, steps) : same, LONG);
    checkSucceeded(b, workload);
    double perSecond = runs * steps / (b.wallMillis() / 1000);
    List<Double> t = b.runMillis();
    String text =
        fmt(
            "%.0f steps/s  (run p50 %.0f ms, p99 %.0f ms; %d runs x %d steps in %.1f s)",
            perSecond, pct(t, 50), pct(t, 99), runs, steps, b.wallMillis() / 1000);
    Map<String, Object> measured =
        figures(
            "runs",
            runs,
            "stepsPerRun",
            steps,
            "stepsPerSecond",
            perSecond,
            "runP50Ms",
            pct(t, 50),
            "runP99Ms",
            pct(t, 99),
            "wallMs",
            b.wallMillis());
    return new Row(id, workload, measured, text);
  }

  /**
   * Heap and resident memory of this process (broker, coordinator and agent) before and after
   * {@code n} runs each wait on a step that no agent serves: what the coordinator holds per active
   * run.
   */
  private Row memory(int n) throws Exception {
    String pool = "parked";
    JsonNode def = BenchCommand.waitingOn(pool);
    long heap0 = usedHeapAfterGc();
    long rss0 = rss();
    for (int i = 0; i < n; i++) {
      driver.submit(def);
    }
    driver.flush();
    awaitRecords(topics.dispatch(pool), n, LONG);
    long heap1 = usedHeapAfterGc();
    long rss1 = rss();
    double perRunKb = (heap1 - heap0) / 1024.0 / n;
    return new Row(
        "memory",
        "memory, " + n + " active runs each waiting on a step",
        figures(
            "runs",
            n,
            "heapBeforeMb",
            heap0 >> 20,
            "heapAfterMb",
            heap1 >> 20,
            "heapPerRunKb",
            perRunKb,
            "rssBeforeMb",
            rss0 >> 20,
            "rssAfterMb",
            rss1 >> 20),
        fmt(
            "heap %d -> %d MB after GC (%.1f KB per run); RSS %d -> %d MB (whole process)",
            heap0 >> 20, heap1 >> 20, perRunKb, rss0 >> 20, rss1 >> 20));
  }

  private static void checkSucceeded(LoadDriver.Batch b, String workload) {
    if (b.failed() > 0) {
      throw new UserError(
          Main.RUN_FAILED, "benchmark: " + b.failed() + " runs of \"" + workload + "\" failed");
    }
  }

  /** Waits until {@code topic} holds {@code n} committed records. */
  private void awaitRecords(String topic, int n, Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    long count = 0;
    try (KafkaConsumer<String, byte[]> consumer = Kafka.reader(bootstrap, Map.of(), 500)) {
      List<TopicPartition> parts = new ArrayList<>();
      while (parts.isEmpty() && System.currentTimeMillis() < deadline) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (count < n && System.currentTimeMillis() < deadline) {
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
    }
    if (count < n) {
      throw new UserError(
          Main.RUN_FAILED, "benchmark: only " + count + " of " + n + " runs started in time");
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Resident set size of this process in bytes (0 where /proc is not there). */
  private static long rss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  static List<Double> rawRoundTrip(String bootstrap, String topic, int samples) throws Exception {
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
          got = !consumer.poll(Duration.ofMillis(500)).isEmpty();
        }
        if (i >= 50) {
          out.add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    return out;
  }

  private static Map<String, Object> figures(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      m.put((String) kv[i], v instanceof Double d ? BenchCommand.BenchReport.round(d) : v);
    }
    return m;
  }

  private static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  @Override
  public void close() {
    driver.close();
  }
}
