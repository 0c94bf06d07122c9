package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.agent.Agent;
import dev.wf.agent.AgentConfig;
import dev.wf.agent.AgentKeys;
import dev.wf.broker.EmbeddedBroker;
import dev.wf.coordinator.kafka.Coordinator;
import dev.wf.coordinator.kafka.CoordinatorConfig;
import dev.wf.coordinator.kafka.CoordinatorTrust;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code wf bench}: the load figures a user wants before trusting wf with a fleet, measured on this
 * machine with the product's own broker, coordinator (exactly-once) and agent, every workload
 * driven from outside through the topics, printed beside the raw Kafka round trip of the same
 * broker.
 */
@Command(
    name = "bench",
    description = "Measure wf's latency, throughput and memory under load on this machine.",
    mixinStandardHelpOptions = true)
final class BenchCommand implements Callable<Integer> {
  /** Every workload, in the order they run. */
  static final List<String> ROWS =
      List.of(
          "step",
          "chain10",
          "par100",
          "par1000",
          "par10000",
          "each1000",
          "each10000",
          "runs50",
          "runs50same",
          "memory");

  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      description = "Use this cluster instead of a fresh embedded broker (default: $WF_BOOTSTRAP).")
  String bootstrap;

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "ROW",
      description =
          "Run only these workloads: step, chain10, par100, par1000, par10000, each1000,"
              + " each10000, runs50,"
              + " runs50same, memory (default: all).")
  List<String> only;

  @Option(
      names = "--waiting-runs",
      defaultValue = "10000",
      description = "Runs held waiting for the memory figure (default: ${DEFAULT-VALUE}).")
  int waitingRuns;

  @Option(names = "--json", description = "Print the figures as one JSON document on stdout.")
  boolean json;

  @Option(
      names = "--insecure",
      description =
          "Measure without signatures (to see what they cost); by default every dispatch, report"
              + " and submission is signed, as in production.")
  boolean insecure;

  @Mixin BenchTuning tuning;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<String> rows = new LinkedHashSet<>(only == null ? ROWS : only);
    for (String r : rows) {
      if (!ROWS.contains(r)) {
        throw new UserError(Main.INVALID, "--only: no workload \"" + r + "\"; one of " + ROWS);
      }
    }
    String cluster = Kafka.bootstrap(bootstrap);
    Path tmp = Files.createTempDirectory("wf-bench-");
    EmbeddedBroker broker = null;
    BenchReport report = new BenchReport(json ? err : out);
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
      // Measured as it runs in production: dispatches, reports and submissions all signed.
      Keyring.Ephemeral keys = Keyring.Ephemeral.make("bench-agent");
      CoordinatorConfig cc =
          tuning.apply(
              CoordinatorConfig.defaults(cluster, tmp.resolve("state"))
                  .withTopics(topics)
                  .withTrust(insecure ? CoordinatorTrust.insecure() : keys.coordinatorTrust()));
      report.header(cluster, cc);
      report.kafka(BenchWorkloads.rawRoundTrip(cluster, topics.prefix() + "rtt", 500));
      try (Coordinator coordinator = Coordinator.start(cc);
          Agent agent =
              Agent.start(
                  AgentConfig.defaults(cluster, "bench-agent", List.of("default"), tmp)
                      .withTopics(topics)
                      .withMaxConcurrent(256)
                      .withSecurity(List.of(), insecure ? AgentKeys.none() : keys.agentKeys()))) {
        coordinator.awaitRunning(Duration.ofSeconds(60));
        err.println("coordinator and agent " + agent.id() + " running; measuring ...");
        err.flush();
        BenchWorkloads w =
            new BenchWorkloads(
                cluster, topics, coordinator.streams(), insecure ? null : keys.submitter());
        try (w) {
          w.warmUp();
          for (String row : rows) {
            report.row(w.measure(row, waitingRuns));
          }
        }
      }
      if (json) {
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report.json()));
        out.flush();
      }
      return Main.OK;
    } finally {
      if (broker != null) {
        broker.close();
      }
      LocalStack.deleteTree(tmp);
    }
  }

  static JsonNode chain(String name, int n) {
    return group(name, "sequential", n);
  }

  static JsonNode parallel(String name, int n) {
    return group(name, "parallel", n);
  }

  private static JsonNode group(String name, String type, int n) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", name).put("type", type);
    ArrayNode steps = root.putArray("steps");
    for (int i = 0; i < n; i++) {
      steps.addObject().put("name", name + " step " + i).putObject("action").put("kind", "noop");
    }
    return root;
  }

  /** A parallel group with forEach over {@code n} items, a no-op step per item. */
  static JsonNode forEach(String name, int n) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", name).put("type", "parallel");
    root.put("forEach", "inputs.items");
    ArrayNode items = root.putObject("inputs").putArray("items");
    for (int i = 0; i < n; i++) {
      items.add(i);
    }
    root.putArray("steps").addObject().put("name", "Each").putObject("action").put("kind", "noop");
    return root;
  }

  /** A run whose only step waits for an agent of {@code pool}. */
  static JsonNode waitingOn(String pool) {
    ObjectNode root = Json.MAPPER.createObjectNode().put("name", "Parked");
    root.putObject("agent").put("pool", pool);
    root.putObject("action").put("kind", "noop");
    return root;
  }

  static double pct(List<Double> values, int p) {
    List<Double> s = new ArrayList<>(values);
    java.util.Collections.sort(s);
    if (s.isEmpty()) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, i)));
  }

  /** The printed and JSON forms of the figures. */
  static final class BenchReport {
    private final PrintWriter text;
    private final ObjectNode doc = Json.MAPPER.createObjectNode();
    private final ArrayNode rows = doc.putArray("rows");

    BenchReport(PrintWriter text) {
      this.text = text;
    }

    void header(String cluster, CoordinatorConfig cc) {
      doc.put("bootstrap", cluster)
          .put("cores", Runtime.getRuntime().availableProcessors())
          .put("java", System.getProperty("java.version"))
          .put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20)
          .put("commitIntervalMs", cc.commitIntervalMs())
          .put("partitions", cc.partitions());
      print(
          "wf bench on %s: %d cores, Java %s, heap max %d MB; coordinator exactly_once_v2,"
              + " commit.interval.ms=%d, %d partitions",
          cluster,
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"),
          Runtime.getRuntime().maxMemory() >> 20,
          cc.commitIntervalMs(),
          cc.partitions());
    }

    void kafka(List<Double> rtt) {
      doc.putObject("kafka")
          .put("samples", rtt.size())
          .put("p50Ms", round(pct(rtt, 50)))
          .put("p99Ms", round(pct(rtt, 99)));
      print(
          "%-52s p50 %.1f ms  p99 %.1f ms",
          "kafka round trip (200 B, acks=all, one in flight)", pct(rtt, 50), pct(rtt, 99));
    }

    void row(BenchWorkloads.Row r) {
      ObjectNode n = rows.addObject().put("id", r.id()).put("workload", r.workload());
      r.figures().forEach((k, v) -> n.set(k, Json.MAPPER.valueToTree(v)));
      print("%-52s %s", r.workload(), r.text());
    }

    ObjectNode json() {
      return doc;
    }

    private void print(String format, Object... args) {
      text.printf(Locale.ROOT, format + "%n", args);
      text.flush();
    }

    static double round(double v) {
      return Math.round(v * 10) / 10.0;
    }
  }
}
