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
