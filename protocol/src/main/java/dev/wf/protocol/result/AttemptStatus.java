package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How one attempt of a step ended; LOST means its agent stopped answering. */
public enum AttemptStatus {
  RUNNING,
  SUCCESS,
  FAILED,
  TIMEOUT,
  CANCELLED,
  LOST;

  @JsonValue
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static AttemptStatus of(String word) {
    return valueOf(word.toUpperCase(Locale.ROOT));
  }
}
