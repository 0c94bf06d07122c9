package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.monitoring.MonitoringFiles;
import dev.wf.monitoring.PromQl;
import dev.wf.monitoring.Scrape;
import dev.wf.protocol.Json;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator's Prometheus sees: a coordinator and an agent as processes of their own, the
 * agent with its metrics port, several runs of one workflow at once, then their live {@code
 * /metrics} read at the paths the scrape config in deploy/ uses, and every series the Grafana
 * dashboard queries found there.
 */
class MonitoringTest {
  private static final String TOKEN = "s3cret";
  private static final String POOL = "metered";
  private static final int SLOTS = 4;
  private static final int RUNS = 5;
  static TestStack stack;
  static Child coordinator;
  static Child agent;
  static int httpPort;
  static int metricsPort;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack(false);
    httpPort = freePort();
    metricsPort = freePort();
    coordinator =
        stack.coordinatorProcess(
            "coordinator",
            "--http-port",
            Integer.toString(httpPort),
            "--http-host",
            "localhost",
            "--http-token",
            TOKEN,
            "--partitions",
            "2");
    agent =
        stack.agentProcess(
            "metered-1",
            "--pool",
            POOL,
            "--max-concurrent",
            Integer.toString(SLOTS),
            "--heartbeat",
            "500ms",
            "--metrics-port",
            Integer.toString(metricsPort));
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
    stack.close();
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The agent's metrics, at the path the scrape config's agent job reads, on the loopback. */
  private static Scrape agentMetrics() {
    return Scrape.of(
        "http://127.0.0.1:" + metricsPort + MonitoringFiles.job("wf-agent").metricsPath(), null);
  }

  private static Scrape coordinatorMetrics() {
    return Scrape.of(
        "http://localhost:" + httpPort + MonitoringFiles.job("wf-coordinator").metricsPath(),
        TOKEN);
  }

  /** Scrapes the agent until {@code test} holds (the agent's port answers once it runs). */
  private static Scrape awaitAgent(Predicate<Scrape> test, String what) throws Exception {
    long deadline = System.currentTimeMillis() + 90_000;
    AssertionError last = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        Scrape s = agentMetrics();
        if (test.test(s)) {
          return s;
        }
      } catch (AssertionError e) {
        last = e; // not listening yet
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "agent metrics never showed "
            + what
            + (last == null ? "" : ": " + last.getMessage())
            + "\n"
            + agent.log());
  }

  private static String workflow(Path gate) {
    return """
        name: Metered
        type: parallel
        agent: { pool: %s }
        steps:
          - name: Gated
            action: { kind: shell, command: 'while [ ! -e "$1" ]; do sleep 0.02; done; echo "{\\"ok\\":true}"', args: ["%s"] }
          - name: Nothing
            action: { kind: noop }
          - name: Flaky
            retries: 1
            backoff: { initial: 10ms }
            onError: continue
            action: { kind: shell, command: 'exit 3' }
        """
        .formatted(POOL, gate);
  }

  @Test
  void shouldExportTheAgentSeriesWithTheValuesOfSeveralRunsAtOnce() throws Exception {
    Scrape before = awaitAgent(s -> s.names().contains("wf_agent_slots_free"), "its slots");
    Path gate = stack.dir().resolve("gate-" + System.nanoTime());
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      runs.add(stack.submitYaml(workflow(gate)));
    }
    // Five runs' gated steps wait for the gate: the agent's every slot is taken.
    awaitAgent(
        s -> s.sum("wf_agent_slots_running") == SLOTS && s.sum("wf_agent_slots_free") == 0,
        "all " + SLOTS + " slots running");
    Files.writeString(gate, "go");
    for (String run : runs) {
      WorkflowResult r = stack.awaitResult(run, Duration.ofSeconds(90));
      assertThat(r.success()).as(run).isTrue();
      assertThat(r.steps())
          .filteredOn(s -> s.name().equals("Flaky"))
          .singleElement()
          .satisfies(s -> assertThat(s.status()).isEqualTo(StepStatus.FAILED));
    }
    Scrape after = agentMetrics();
    Map<String, String> shell = Map.of("pool", POOL, "kind", "shell");
    assertThat(grown(before, after, "wf_agent_attempts_total", with(shell, "outcome", "success")))
        .as("one gated attempt per run")
        .isEqualTo(RUNS);
    assertThat(grown(before, after, "wf_agent_attempts_total", with(shell, "outcome", "failed")))
        .as("two attempts of Flaky per run")
        .isEqualTo(2 * RUNS);
    assertThat(
            grown(
                before,
                after,
                "wf_agent_attempts_total",
                Map.of("pool", POOL, "kind", "noop", "outcome", "success")))
        .isEqualTo(RUNS);
    assertThat(
            grown(
                before,
                after,
                "wf_agent_attempt_duration_seconds_count",
                with(shell, "outcome", "success")))
        .isEqualTo(RUNS);
    double gatedSeconds =
        grown(
            before,
            after,
            "wf_agent_attempt_duration_seconds_sum",
            with(shell, "outcome", "success"));
    assertThat(gatedSeconds).as("gated attempts waited for the gate").isGreaterThan(0.0);
    // A histogram's +Inf bucket holds every observation.
    assertThat(
            grown(
                before,
                after,
                "wf_agent_attempt_duration_seconds_bucket",
                Map.of("pool", POOL, "le", "+Inf")))
        .isEqualTo(4 * RUNS);
    // Every step is one dispatch (Flaky's retry runs on the agent): 3 per run. The fifth gated
    // step waited for a slot, so the lag is more than nothing, and less than the test took.
    assertThat(grown(before, after, "wf_agent_dispatch_lag_seconds_count", Map.of("pool", POOL)))
        .isEqualTo(3 * RUNS);
    double lag = grown(before, after, "wf_agent_dispatch_lag_seconds_sum", Map.of("pool", POOL));
    assertThat(lag).isGreaterThan(0.0).isLessThan(3 * RUNS * 90.0);
    assertThat(after.sum("wf_agent_slots_running")).isZero();
    assertThat(after.sum("wf_agent_slots_free")).isEqualTo(SLOTS);
    assertThat(after.names()).contains("jvm_memory_used_bytes", "process_cpu_usage");
  }

  /** A dispatch of pool {@code pool} that would leave {@code marker} behind if it ran. */
  private static byte[] dispatch(String runId, String pool, Path marker, Long expiresAt)
      throws Exception {
    return Json.write(
        new Dispatch(
            runId,
            "1:Evil",
            "Evil",
            "Evil",
            pool,
            Json.MAPPER.readTree("{\"kind\":\"shell\",\"command\":\"touch " + marker + "\"}"),
            10_000,
            1,
            1,
            null,
            runId + ":Evil",
            System.currentTimeMillis(),
            null,
            null,
            expiresAt));
  }

  @Test
  void shouldCountRefusedDispatchesByReason() throws Exception {
    Scrape before =
        awaitAgent(s -> !s.named("wf_agent_refusals_total").isEmpty(), "its refusal counters");
    Path marker = stack.dir().resolve("refused-ran");
    String topic = stack.topics().dispatch(POOL);
    // The coordinator's key, as if stolen, to make genuine records to replay.
    Signer keys = Signer.fromFile("coordinator", stack.keys().key("coordinator"));
    long now = System.currentTimeMillis();
    // unsigned; signed but of another pool; signed but past its expiry (a replay)
    stack.sendTo(topic, "forged-run", dispatch("forged-run", POOL, marker, null));
    byte[] elsewhere = dispatch("elsewhere-run", "elsewhere", marker, null);
    stack.sendRecord(
        Signed.record(topic, "elsewhere-run", elsewhere, Signed.Purpose.DISPATCH, keys, now));
    byte[] old = dispatch("old-run", POOL, marker, System.currentTimeMillis() - 60_000);
    stack.sendRecord(Signed.record(topic, "old-run", old, Signed.Purpose.DISPATCH, keys, now));
    Map<String, Double> grown = new TreeMap<>();
    awaitAgent(
        s -> {
          for (String reason : List.of("forged", "wrong-pool", "expired", "no-action")) {
            Map<String, String> l = Map.of("pool", POOL, "reason", reason);
            grown.put(reason, grown(before, s, "wf_agent_refusals_total", l));
          }
          return grown.get("forged") >= 1
              && grown.get("wrong-pool") >= 1
              && grown.get("expired") >= 1;
        },
        "the three refusals");
    assertThat(grown)
        .containsEntry("forged", 1.0)
        .containsEntry("wrong-pool", 1.0)
        .containsEntry("expired", 1.0)
        .containsEntry("no-action", 0.0);
    assertThat(Files.exists(marker)).as("no refused command ran").isFalse();
    assertThat(Scrape.get("http://127.0.0.1:" + metricsPort + "/health", null)).contains("RUNNING");
  }

  @Test
  void shouldExportEverySeriesTheGrafanaDashboardQueries() throws Exception {
    awaitAgent(s -> s.names().contains("wf_agent_slots_free"), "its slots");
    Path gate = stack.dir().resolve("open-gate");
    Files.writeString(gate, "go");
    String run = stack.submitYaml(workflow(gate));
    assertThat(stack.awaitResult(run, Duration.ofSeconds(90)).success()).isTrue();
    stack.eventsOfEnded(run);
    Set<String> exported = new TreeSet<>(coordinatorMetrics().names());
    exported.addAll(agentMetrics().names());
    List<MonitoringFiles.Query> queries = MonitoringFiles.dashboardQueries();
    assertThat(queries).as("queries of " + MonitoringFiles.DASHBOARD).hasSizeGreaterThan(10);
    assertThat(missing(queries, exported))
        .as("series the dashboard queries but nobody exports")
        .isEmpty();
    // The check itself: a query naming a series nobody exports is caught.
    assertThat(
            missing(
                List.of(
                    new MonitoringFiles.Query("made up", "sum(rate(wf_agent_attempts_totl[5m]))")),
                exported))
        .containsKey("made up");
  }

  @Test
  void shouldNameThePortAndTheOptionWhenAnAgentFindsItsMetricsPortTaken() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      CliTest.Ran r =
          CliTest.wf(
              "agent",
              "--bootstrap",
              stack.bootstrap(),
              "--topic-prefix",
              stack.topics().prefix(),
              "--pool",
              "unused",
              "--workdir",
              stack.dir().resolve("work-taken").toString(),
              "--metrics-port",
              Integer.toString(taken.getLocalPort()));
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err())
          .contains("127.0.0.1:" + taken.getLocalPort())
          .contains("--metrics-port (WF_AGENT_METRICS_PORT)");
    }
  }

  /** Series Prometheus makes itself for every target; no process exports them. */
  private static final Set<String> PROMETHEUS_OWN =
      Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

  /** For each query that names a series missing from {@code exported}: those series. */
  private static Map<String, Set<String>> missing(
      List<MonitoringFiles.Query> queries, Set<String> exported) {
    Map<String, Set<String>> out = new TreeMap<>();
    for (MonitoringFiles.Query q : queries) {
      Set<String> named = PromQl.series(q.expr());
      if (named.isEmpty()) {
        out.put(q.where(), Set.of("(no series at all in: " + q.expr() + ")"));
        continue;
      }
      Set<String> absent = new TreeSet<>(named);
      absent.removeAll(exported);
      absent.removeAll(PROMETHEUS_OWN);
      if (!absent.isEmpty()) {
        out.put(q.where(), absent);
      }
    }
    return out;
  }

  private static Map<String, String> with(Map<String, String> m, String k, String v) {
    Map<String, String> out = new TreeMap<>(m);
    out.put(k, v);
    return out;
  }

  private static double grown(Scrape before, Scrape after, String name, Map<String, String> l) {
    return after.sum(name, l) - before.sum(name, l);
  }
}
