package dev.wf.coordinator.kafka;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.result.WorkflowResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * What the coordinator counts, for {@code /metrics}: events by type (runs started, steps failed,
 * attempts lost, submissions rejected...), dispatches by pool, runs ended by status with their
 * duration, dead letters and internal errors.
 */
public final class CoordinatorMetrics {
  private final MeterRegistry registry;

  public CoordinatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    // At zero from the start: a dashboard shows 0 rather than no data, and the first one is a rise
    // that rate() and alerts see.
    deadLetters();
    internalErrors();
    for (Untrusted what : Untrusted.values()) {
      untrustedCounter(what);
    }
  }

  /** What a record refused as not from a trusted party claimed to be. */
  public enum Untrusted {
    /** A submission, cancel, signal or rerun: unsigned, forged, replayed, or beyond its pools. */
    INTAKE,
    /** An agent's report: unsigned, forged, or from a key not allowed on the step's pool. */
    REPORT
  }

  void untrusted(Untrusted what) {
    untrustedCounter(what).increment();
  }

  private Counter untrustedCounter(Untrusted what) {
    return Counter.builder("wf.untrusted")
        .description("Records refused as not from a trusted party (SECURITY.md), by kind")
        .tag("record", what.name().toLowerCase(java.util.Locale.ROOT))
        .register(registry);
  }

  /**
   * Counts the agents topic's records the registry ignored as forged or replayed, as {@code
   * wf_untrusted_total{record="agent"}}.
   */
  public void agentRecordsIgnored(AgentRegistry agents) {
    // The registry itself is the state (a meter holds it weakly; the coordinator holds it).
    io.micrometer.core.instrument.FunctionCounter.builder(
            "wf.untrusted", agents, AgentRegistry::ignored)
        .description("Records refused as not from a trusted party (SECURITY.md), by kind")
        .tag("record", "agent")
        .register(registry);
  }

  /** Counts into a registry nobody reads: for tests and tools. */
  public static CoordinatorMetrics discarding() {
    return new CoordinatorMetrics(new SimpleMeterRegistry());
  }

  public MeterRegistry registry() {
    return registry;
  }

  void event(EventType type) {
    Counter.builder("wf.events")
        .description("Events published, by type")
        .tag("type", type.wire())
        .register(registry)
        .increment();
  }

  void dispatch(String pool) {
    Counter.builder("wf.dispatches")
        .description("Step dispatches sent to agents, by pool")
        .tag("pool", pool)
        .register(registry)
        .increment();
  }

  void runEnded(WorkflowResult r) {
    Timer.builder("wf.run.duration")
        .description("Duration of ended runs, by status")
        .tag("status", r.status().word())
        .register(registry)
        .record(Duration.ofMillis(r.duration()));
  }

  void deadLetter() {
    deadLetters().increment();
  }

  void internalError() {
    internalErrors().increment();
  }

  private Counter deadLetters() {
    return Counter.builder("wf.dead.letters")
        .description("Records copied to the dead-letter topic")
        .register(registry);
  }

  private Counter internalErrors() {
    return Counter.builder("wf.internal.errors")
        .description("Inputs not applied because of an internal error")
        .register(registry);
  }
}
