package dev.wf.agent.metrics;

import dev.wf.agent.action.AttemptLoop;
import dev.wf.agent.action.AttemptOutcome;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Counts the attempts of one dispatch as the attempt loop reports them, then passes each report on.
 * An attempt is counted once, when it ends (a retry or the finish), and only if it started: a
 * cancel during the backoff, or a deadline that passed before the next attempt, runs nothing.
 */
final class MeteredReports implements AttemptLoop.Reports {
  private final AgentMetrics metrics;
  private final String pool;
  private final String kind;
  private final LongSupplier clock;
  private final AttemptLoop.Reports next;
  private int open = -1;
  private long openedAt;

  MeteredReports(
      AgentMetrics metrics,
      String pool,
      String kind,
      LongSupplier clock,
      AttemptLoop.Reports next) {
    this.metrics = metrics;
    this.pool = pool;
    this.kind = kind;
    this.clock = clock;
    this.next = next;
  }

  @Override
  public void started(int attempt) {
    open = attempt;
    openedAt = clock.getAsLong();
    next.started(attempt);
  }

  @Override
  public void retrying(int attempt, AttemptOutcome failed, long delayMs) {
    ended(attempt, failed);
    next.retrying(attempt, failed, delayMs);
  }

  @Override
  public void finished(int attempt, AttemptOutcome outcome) {
    ended(attempt, outcome);
    next.finished(attempt, outcome);
  }

  private void ended(int attempt, AttemptOutcome outcome) {
    if (attempt != open) {
      return;
    }
    open = -1;
    metrics.attempt(pool, kind, outcome.status(), Duration.ofMillis(clock.getAsLong() - openedAt));
    if (outcome.notAllowed()) {
      metrics.refused(pool, RefusalKind.NOT_ALLOWED);
    }
  }
}
