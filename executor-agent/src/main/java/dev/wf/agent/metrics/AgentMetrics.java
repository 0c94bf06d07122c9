package dev.wf.agent.metrics;

import dev.wf.agent.action.AttemptLoop;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.AttemptStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * What an agent counts, for {@code /metrics} (names below as Prometheus shows them): attempts by
 * outcome and action kind ({@code wf_agent_attempts_total}) and their duration ({@code
 * wf_agent_attempt_duration_seconds}), running and free slots ({@code wf_agent_slots_running},
 * {@code wf_agent_slots_free}), the lag from a dispatch's record to the start of its attempt
 * ({@code wf_agent_dispatch_lag_seconds}) and refusals by reason ({@code wf_agent_refusals_total});
 * every one labelled with the pool. Thread-safe.
 */
public final class AgentMetrics {
  /**
   * Histogram buckets of the attempt duration and the dispatch lag: from the few milliseconds of a
   * no-op to the hour of a long build, few enough to keep one series per bucket affordable per
   * pool, kind and outcome.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1)
  };

  private final MeterRegistry registry;

  public AgentMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts into a registry nobody reads: for tests and the in-process agent of {@code wf run}. */
  public static AgentMetrics discarding() {
    return new AgentMetrics(new SimpleMeterRegistry());
  }

  /** For {@code /metrics}: Prometheus' registry, with the JVM's own meters beside ours. */
  public static AgentMetrics prometheus() {
    PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(r);
    new JvmGcMetrics().bindTo(r);
    new JvmThreadMetrics().bindTo(r);
    new ProcessorMetrics().bindTo(r);
    return new AgentMetrics(r);
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text of every meter, or nothing when the registry is not Prometheus'. */
  public String scrape() {
    return registry instanceof PrometheusMeterRegistry p ? p.scrape() : "";
  }

  /**
   * Watches the agent's slots, and registers every refusal counter at zero, so that a dashboard
   * shows 0 rather than no data, and a first refusal is a rise that {@code rate()} sees.
   */
  public void start(Semaphore slots, int max, Collection<String> pools) {
    Gauge.builder("wf.agent.slots.free", slots, Semaphore::availablePermits)
        .description("Slots free for another action")
        .register(registry);
    Gauge.builder("wf.agent.slots.running", slots, s -> max - s.availablePermits())
        .description("Slots taken by a running action")
        .register(registry);
    for (String pool : pools) {
      for (RefusalKind k : RefusalKind.values()) {
        refusals(pool, k);
      }
    }
  }

  /** One attempt that ran, with how it ended and how long it took. */
  public void attempt(String pool, String kind, AttemptStatus outcome, Duration took) {
    String status = outcome.word();
    Counter.builder("wf.agent.attempts")
        .description("Attempts run, by outcome and action kind")
        .tags("pool", pool, "kind", kind, "outcome", status)
        .register(registry)
        .increment();
    Timer.builder("wf.agent.attempt.duration")
        .description("Duration of attempts, by outcome and action kind")
        .tags("pool", pool, "kind", kind, "outcome", status)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(took);
  }

  /**
   * From the dispatch record's timestamp (the coordinator's clock when it dispatched) to the start
   * of its first attempt here: the coordinator's commit, the wait for a free slot and the poll. A
   * negative lag, from the two hosts' clocks disagreeing, counts as none.
   */
  public void dispatchLag(String pool, long lagMs) {
    Timer.builder("wf.agent.dispatch.lag")
        .description("From a dispatch record's timestamp to the start of its attempt")
        .tag("pool", pool)
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(Duration.ofMillis(Math.max(0, lagMs)));
  }

  public void refused(String pool, RefusalKind why) {
    refusals(pool, why).increment();
  }

  private Counter refusals(String pool, RefusalKind why) {
    return Counter.builder("wf.agent.refusals")
        .description("Dispatches or attempts refused, by reason")
        .tags("pool", pool, "reason", why.label())
        .register(registry);
  }

  /**
   * {@code reports}, with each attempt of {@code d} that ran counted; {@code kinds} are the kinds
   * this agent knows (any other is labelled {@code other}, so that a dispatch cannot add values).
   */
  public AttemptLoop.Reports metered(
      Dispatch d, Set<String> kinds, LongSupplier clock, AttemptLoop.Reports reports) {
    String kind = d.action() == null ? "" : d.action().path("kind").asText("");
    return new MeteredReports(
        this, d.pool(), kinds.contains(kind) ? kind : "other", clock, reports);
  }
}
