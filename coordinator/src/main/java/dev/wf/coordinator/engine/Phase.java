package dev.wf.coordinator.engine;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a started step is in its life. A step that has not started has no state at all.
 *
 * <pre>
 *            dispatch                 agent started
 *   (none) ──────────▶ WAITING ──────────────────────▶ RUNNING ──────────────▶ ENDED
 *      │                 │  ▲  lost/returned: dispatched again  │   │  ▲
 *      │ group starts    │  └──────────────────────────────────┘   │  │ children settled /
 *      └─────────────────┼──────────────▶ RUNNING                 ▼  │ agent confirmed
 *                        │                                      SETTLING ──▶ BACKOFF (group retry)
 *                        └──▶ ENDED (start timeout, cancel)          BACKOFF ──▶ RUNNING | ENDED
 *
 *   A step with a concurrency key is QUEUED first, until it holds the key:
 *   (none) ──▶ QUEUED ──▶ WAITING (leaf) | RUNNING (group) | ENDED (refused, cancelled)
 * </pre>
 */
public enum Phase {
  /** A step with a concurrency key, waiting for the key before it starts. */
  QUEUED,
  /** A leaf dispatched and not yet started by an agent. */
  WAITING,
  /** A group running its children, or a leaf an agent is running. */
  RUNNING,
  /** A group failing or being cancelled, or a leaf being cancelled: waiting for children/agent. */
  SETTLING,
  /** A group waiting to run again ({@code onError: retry}). */
  BACKOFF,
  ENDED;

  private Set<Phase> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(WAITING, RUNNING, ENDED);
      case WAITING -> EnumSet.of(WAITING, RUNNING, ENDED);
      case RUNNING -> EnumSet.of(WAITING, SETTLING, BACKOFF, ENDED);
      case SETTLING -> EnumSet.of(BACKOFF, ENDED);
      case BACKOFF -> EnumSet.of(RUNNING, ENDED);
      case ENDED -> EnumSet.noneOf(Phase.class);
    };
  }

  /**
   * Checks that this phase may move to {@code to}.
   *
   * @throws IllegalStateException when it may not: a bug in the machine
   */
  public Phase to(Phase to, String path) {
    if (!next().contains(to)) {
      throw new IllegalStateException("step " + path + " cannot go from " + this + " to " + to);
    }
    return to;
  }
}
