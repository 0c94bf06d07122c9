package dev.wf.coordinator.engine;

import java.util.Objects;

/** Why the machine changed nothing for an input: a kind to act on and a reason to log. */
public record Rejection(Type type, String reason) {
  /** The kinds of input the machine refuses. */
  public enum Type {
    /** No run has this id. */
    UNKNOWN_RUN,
    /** The run has ended; nothing changes it any more. */
    ENDED,
    /** The same run started, or the same cancel asked, again. */
    DUPLICATE,
    /** From a superseded dispatch, a timer no longer set, or a step already being cancelled. */
    STALE
  }

  public Rejection {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
  }

  static Rejection stale(String reason) {
    return new Rejection(Type.STALE, reason);
  }

  @Override
  public String toString() {
    return type + ": " + reason;
  }
}
