package dev.wf.protocol.definition;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A step that runs one action on an agent of {@code pool}. {@code timeout} bounds each attempt;
 * {@code startTimeout} bounds the wait for an agent of the pool to start it (when absent, the
 * coordinator's default applies). {@code nonRetryable} names failures not to retry; {@code
 * deadline} bounds the step's whole time, across attempts and backoffs.
 */
public record Leaf(
    String name,
    Action action,
    String pool,
    Optional<String> condition,
    OnError onError,
    int retries,
    RetryPolicy retryPolicy,
    Duration timeout,
    Optional<Duration> startTimeout,
    NonRetryable nonRetryable,
    Optional<Duration> deadline,
    Optional<Concurrency> concurrency)
    implements Step {
  public static final String DEFAULT_POOL = "default";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  public Leaf {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(onError, "onError");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(startTimeout, "startTimeout");
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    Objects.requireNonNull(nonRetryable, "nonRetryable");
    Objects.requireNonNull(deadline, "deadline");
    Objects.requireNonNull(concurrency, "concurrency");
  }
}
