package dev.wf.coordinator.engine;

import java.time.Duration;

/**
 * The machine's knobs.
 *
 * @param maxLost how many times a step lost with its agent is dispatched again before it fails
 * @param cancelGrace how long a cancelled attempt may take to confirm before it counts as cancelled
 * @param reportGrace how long past an attempt's timeout (plus backoff) the coordinator waits for
 *     any report from its agent before it declares the attempt lost
 * @param startTimeout how long a step may wait for an agent of its pool when it does not say
 * @param maxItems how many items a {@code forEach} group may fan out to; more fail the group
 */
public record MachineConfig(
    int maxLost, Duration cancelGrace, Duration reportGrace, Duration startTimeout, int maxItems) {
  public static final int DEFAULT_MAX_ITEMS = 10_000;
  public static final MachineConfig DEFAULT =
      new MachineConfig(3, Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(10));

  public MachineConfig {
    if (maxLost < 0) {
      throw new IllegalArgumentException("maxLost must be >= 0");
    }
    if (maxItems < 0) {
      throw new IllegalArgumentException("maxItems must be >= 0");
    }
  }

  public MachineConfig(
      int maxLost, Duration cancelGrace, Duration reportGrace, Duration startTimeout) {
    this(maxLost, cancelGrace, reportGrace, startTimeout, DEFAULT_MAX_ITEMS);
  }
}
