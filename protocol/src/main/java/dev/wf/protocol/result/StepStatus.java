package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The status of a step in a result. RUNNING and WAITING appear only in a run not yet ended. */
public enum StepStatus {
  SUCCESS,
  FAILED,
  SKIPPED,
  TIMEOUT,
  CANCELLED,
  /** Dispatched, not yet started by an agent (or a group in flight). */
  WAITING,
  RUNNING;

  @JsonValue
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static StepStatus of(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }

  public boolean ended() {
    return this != WAITING && this != RUNNING;
  }

  /** Failed or timed out: the outcomes that fail a parent unless the step says continue. */
  public boolean isFailure() {
    return this == FAILED || this == TIMEOUT;
  }
}
