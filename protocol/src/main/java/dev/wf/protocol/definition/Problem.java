package dev.wf.protocol.definition;

import java.util.Objects;

/**
 * One thing wrong with a definition, at {@code path} (like {@code steps[1].steps[0].timeout}; empty
 * for the document itself).
 */
public record Problem(Severity severity, String path, String message) {
  public enum Severity {
    ERROR,
    WARNING
  }

  public Problem {
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
  }

  public static Problem error(String path, String message) {
    return new Problem(Severity.ERROR, path, message);
  }

  public static Problem warning(String path, String message) {
    return new Problem(Severity.WARNING, path, message);
  }

  public boolean isError() {
    return severity == Severity.ERROR;
  }

  /** {@code PATH: message}, or the message alone for the document. */
  @Override
  public String toString() {
    return path.isEmpty() ? message : path + ": " + message;
  }
}
