package dev.wf.protocol.definition;

import java.util.Optional;

/**
 * One node of a workflow: a {@link Group} of steps run in sequence or in parallel, or a {@link
 * Leaf} that runs an action on an agent.
 */
public sealed interface Step permits Group, Leaf {
  String name();

  /** A CEL expression over {@code inputs} and earlier {@code steps}; empty means always run. */
  Optional<String> condition();

  OnError onError();

  /** Extra attempts after the first (leaf) or extra runs of the whole group (group, with retry). */
  int retries();

  RetryPolicy retryPolicy();

  /** The concurrency group the step holds while it runs, if any. */
  Optional<Concurrency> concurrency();
}
