package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** The status of a run: RUNNING until it ends, then SUCCESS, FAILED or CANCELLED. */
public enum RunStatus {
  RUNNING,
  SUCCESS,
  FAILED,
  CANCELLED;

  @JsonValue
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static RunStatus of(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
