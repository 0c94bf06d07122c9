package dev.wf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.agent.action.ActionRunner;
import dev.wf.agent.action.AttemptLoop;
import dev.wf.agent.action.AttemptOutcome;
import dev.wf.agent.action.Cancellation;
import dev.wf.protocol.Json;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.AttemptStatus;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent counts about the attempts it runs, checked on real attempts of the attempt loop,
 * and the names Prometheus shows (the Grafana dashboard's queries use them).
 */
class AgentMetricsTest {
  @TempDir Path work;
  private final AgentMetrics metrics = AgentMetrics.prometheus();
  private final MeterRegistry registry = metrics.registry();

  /** The loop's reports, dropped: only the metrics matter here. */
  private static final AttemptLoop.Reports NOWHERE =
      new AttemptLoop.Reports() {
        @Override
        public void started(int attempt) {}

        @Override
        public void retrying(int attempt, AttemptOutcome failed, long delayMs) {}

        @Override
        public void finished(int attempt, AttemptOutcome outcome) {}
      };

  private static Dispatch dispatch(String actionJson, int maxAttempts, long backoffMs)
      throws Exception {
    return new Dispatch(
        "run-1",
        "1:Root",
        "Root",
        "Root",
        "build",
        Json.MAPPER.readTree(actionJson),
        10_000,
        1,
        maxAttempts,
        new Dispatch.Backoff(backoffMs, 1.0, backoffMs, 0),
        "run-1:Root",
        0,
        null,
        null,
        null);
  }

  private void run(ActionRunner runner, Dispatch d, Cancellation cancel) throws Exception {
    new AttemptLoop(runner)
        .run(
            d,
            work,
            cancel,
            metrics.metered(d, runner.kinds(), System::currentTimeMillis, NOWHERE));
  }

  private double attempts(String kind, String outcome) {
    var c =
        registry
            .find("wf.agent.attempts")
            .tags("pool", "build", "kind", kind, "outcome", outcome)
            .counter();
    return c == null ? 0 : c.count();
  }

  private double refusals(String reason) {
    return registry
        .get("wf.agent.refusals")
        .tags("pool", "build", "reason", reason)
        .counter()
        .count();
  }

  @Test
  void shouldCountEveryAttemptThatRanByOutcomeAndKindWithItsDuration() throws Exception {
    Path marker = work.resolve("marker");
    run(
        new ActionRunner(Set.of(), 300),
        dispatch(
            """
            {"kind":"shell","command":"if [ -e \\"$1\\" ]; then sleep 0.2; else touch \\"$1\\"; exit 1; fi","args":["%s"]}"""
                .formatted(marker),
            3,
            10),
        new Cancellation());
    assertThat(attempts("shell", "failed")).isEqualTo(1);
    assertThat(attempts("shell", "success")).isEqualTo(1);
    var took =
        registry
            .get("wf.agent.attempt.duration")
            .tags("pool", "build", "kind", "shell", "outcome", "success")
            .timer();
    assertThat(took.count()).isEqualTo(1);
    assertThat(took.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .as("the successful attempt slept 200 ms")
        .isBetween(200.0, 10_000.0);
  }

  @Test
  void shouldNotCountAnAttemptThatACancelDuringTheBackoffStopped() throws Exception {
    Cancellation cancel = new Cancellation();
    Thread canceller =
        new Thread(
            () -> {
              // cancel once the first attempt has failed and the loop waits its backoff
              while (attempts("shell", "failed") == 0) {
                Thread.onSpinWait();
              }
              cancel.cancel("test");
            });
    canceller.start();
    run(
        new ActionRunner(Set.of(), 300),
        dispatch("{\"kind\":\"shell\",\"command\":\"exit 3\"}", 5, 60_000),
        cancel);
    canceller.join();
    assertThat(attempts("shell", "failed")).isEqualTo(1);
    assertThat(attempts("shell", "cancelled")).isZero();
  }

  @Test
  void shouldCountAKindTheAgentDoesNotAllowAsARefusal() throws Exception {
    run(
        new ActionRunner(Set.of("http"), 300),
        dispatch("{\"kind\":\"shell\",\"command\":\"echo hi\"}", 1, 10),
        new Cancellation());
    assertThat(refusals("not-allowed")).isEqualTo(1);
    assertThat(attempts("shell", "failed")).isEqualTo(1);
  }

  @Test
  void shouldLabelAKindNoPluginKnowsAsOther() throws Exception {
    run(
        new ActionRunner(Set.of(), 300),
        dispatch("{\"kind\":\"made-up-kind\",\"x\":1}", 1, 10),
        new Cancellation());
    assertThat(attempts("other", "failed")).isEqualTo(1);
    assertThat(attempts("made-up-kind", "failed")).isZero();
  }

  @Test
  void shouldShowSlotsAndZeroRefusalsFromTheStart() {
    Semaphore slots = new Semaphore(4);
    metrics.start(slots, 4, List.of("build"));
    slots.acquireUninterruptibly();
    assertThat(registry.get("wf.agent.slots.running").gauge().value()).isEqualTo(1);
    assertThat(registry.get("wf.agent.slots.free").gauge().value()).isEqualTo(3);
    for (RefusalKind k : RefusalKind.values()) {
      assertThat(refusals(k.label())).as(k.label()).isZero();
    }
  }

  @Test
  void shouldNameTheSeriesForPrometheusWithTheAgentPrefix() throws Exception {
    metrics.start(new Semaphore(2), 2, List.of("build"));
    metrics.dispatchLag("build", 42);
    metrics.attempt("build", "noop", AttemptStatus.SUCCESS, java.time.Duration.ofMillis(3));
    String text = metrics.scrape();
    assertThat(text)
        .contains("wf_agent_attempts_total{kind=\"noop\",outcome=\"success\",pool=\"build\"} 1.0")
        .contains("wf_agent_attempt_duration_seconds_bucket{")
        .contains("wf_agent_attempt_duration_seconds_count{")
        .contains("wf_agent_dispatch_lag_seconds_bucket{pool=\"build\",le=\"0.05\"} 1")
        .contains("wf_agent_dispatch_lag_seconds_sum{pool=\"build\"} 0.042")
        .contains("wf_agent_slots_free 2.0")
        .contains("wf_agent_slots_running 0.0")
        .contains("wf_agent_refusals_total{pool=\"build\",reason=\"forged\"} 0.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void shouldCountANegativeLagFromDisagreeingClocksAsNone() {
    metrics.dispatchLag("build", -500);
    assertThat(
            registry
                .get("wf.agent.dispatch.lag")
                .timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
        .isZero();
  }
}
