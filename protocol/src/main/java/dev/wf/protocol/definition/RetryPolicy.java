package dev.wf.protocol.definition;

import java.time.Duration;

/**
 * The wait before a retry: {@code min(initial * multiplier^(retry-1), max)}, spread by {@code
 * jitter} (a fraction of the delay, 0 to 1). The default is the seed orchestrator's {@code min(1s *
 * 2^(n-1), 30s)}.
 */
public record RetryPolicy(Duration initial, double multiplier, Duration max, double jitter) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofSeconds(30), 0.0);

  public RetryPolicy {
    if (initial == null || initial.isNegative()) {
      throw new IllegalArgumentException("initial must be >= 0");
    }
    if (max == null || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("max must be >= initial");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be >= 1");
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1");
    }
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry), without jitter.
   *
   * @throws IllegalArgumentException when {@code retry < 1}
   */
  public Duration backoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
    }
    double millis = initial.toMillis() * Math.pow(multiplier, retry - 1);
    return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
  }

  /**
   * The delay before retry {@code retry} with jitter applied; {@code unit} is a number in [0, 1)
   * chosen by the caller (so that the policy stays deterministic and testable).
   */
  public Duration backoff(int retry, double unit) {
    Duration base = backoff(retry);
    if (jitter == 0.0) {
      return base;
    }
    double spread = base.toMillis() * jitter * (2 * unit - 1);
    return Duration.ofMillis(Math.max(0, Math.round(base.toMillis() + spread)));
  }
}
