package dev.wf.protocol.definition;

import java.util.Locale;

/** What a failed step does to its parent (DESIGN.md section 7, "onError x retries"). */
public enum OnError {
  /** The step fails and its parent fails. */
  FAIL,
  /** The step fails and its parent goes on. */
  CONTINUE,
  /** Leaf: same as fail. Group: run the whole group again, up to {@code retries} more times. */
  RETRY;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }
}
