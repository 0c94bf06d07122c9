package dev.wf.protocol.definition;

import java.util.Objects;

/**
 * A concurrency group: at most one step or run holds {@code key} across the whole cluster. {@code
 * key} may hold templates ({@code deploy-${{ inputs.env }}}), rendered when the step starts.
 */
public record Concurrency(String key, OnBusy onBusy) {
  /** What a step does when another holds its key. */
  public enum OnBusy {
    /** Wait in arrival order (status waiting, event step:queued). */
    QUEUE("queue"),
    /** Cancel the holder and take the key once it has let go. */
    CANCEL_RUNNING("cancel-running"),
    /** Fail at once. */
    FAIL("fail");

    private final String word;

    OnBusy(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }

    /** The value for {@code word}, or null when there is none. */
    public static OnBusy of(String word) {
      for (OnBusy b : values()) {
        if (b.word.equals(word)) {
          return b;
        }
      }
      return null;
    }
  }

  public Concurrency {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(onBusy, "onBusy");
  }
}
