package dev.wf.protocol.definition;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A step made of steps. A parallel group with {@code failFast} (the default) cancels its running
 * children as soon as one of them fails the group.
 */
public record Group(
    String name,
    GroupType type,
    List<Step> steps,
    Optional<String> condition,
    OnError onError,
    int retries,
    RetryPolicy retryPolicy,
    boolean failFast)
    implements Step {
  public Group {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    steps = List.copyOf(steps);
    if (steps.isEmpty()) {
      throw new IllegalArgumentException("a group needs at least one step");
    }
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(onError, "onError");
    Objects.requireNonNull(retryPolicy, "retryPolicy");
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0");
    }
  }
}
