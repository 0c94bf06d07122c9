package dev.wf.protocol.definition;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A step made of steps. A parallel group with {@code failFast} (the default) cancels its running
 * children as soon as one of them fails the group. With {@code forEach} (a CEL expression giving a
 * list) the group runs its steps once per item, each time as an implicit sequential group; {@code
 * maxParallel} (parallel groups; 0 for no limit) caps how many of those run at once.
 */
public record Group(
    String name,
    GroupType type,
    List<Step> steps,
    Optional<String> condition,
    OnError onError,
    int retries,
    RetryPolicy retryPolicy,
    boolean failFast,
    Optional<String> forEach,
    int maxParallel,
    Optional<Concurrency> concurrency)
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
    Objects.requireNonNull(forEach, "forEach");
    if (maxParallel < 0) {
      throw new IllegalArgumentException("maxParallel must be >= 0");
    }
    Objects.requireNonNull(concurrency, "concurrency");
  }

  /** The implicit sequential group that runs one item of a {@code forEach} group. */
  public static Group iteration(String name, List<Step> steps) {
    return new Group(
        name,
        GroupType.SEQUENTIAL,
        steps,
        Optional.empty(),
        OnError.FAIL,
        0,
        RetryPolicy.DEFAULT,
        true,
        Optional.empty(),
        0,
        Optional.empty());
  }
}
