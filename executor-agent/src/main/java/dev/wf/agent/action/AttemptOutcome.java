package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.AttemptStatus;

/**
 * How one attempt of an action ended, with its result (success) or error (anything else), and for a
 * failure the shell exit code or HTTP status behind it (for {@code nonRetryable}), when there is
 * one. {@code notAllowed}: the agent refused to run it (a kind or command it does not allow), which
 * its metrics count apart from actions that ran and failed.
 */
public record AttemptOutcome(
    AttemptStatus status,
    JsonNode result,
    String error,
    Integer exitCode,
    Integer httpStatus,
    boolean notAllowed) {
  public AttemptOutcome(
      AttemptStatus status, JsonNode result, String error, Integer exitCode, Integer httpStatus) {
    this(status, result, error, exitCode, httpStatus, false);
  }

  public static AttemptOutcome success(JsonNode result) {
    return new AttemptOutcome(AttemptStatus.SUCCESS, result, null, null, null);
  }

  /** A failure because this agent does not run such an action. */
  public static AttemptOutcome notAllowed(String error) {
    return new AttemptOutcome(AttemptStatus.FAILED, null, error, null, null, true);
  }

  public static AttemptOutcome failed(String error) {
    return new AttemptOutcome(AttemptStatus.FAILED, null, error, null, null);
  }

  public static AttemptOutcome exited(int exitCode, String error) {
    return new AttemptOutcome(AttemptStatus.FAILED, null, error, exitCode, null);
  }

  public static AttemptOutcome httpStatus(int status, String error) {
    return new AttemptOutcome(AttemptStatus.FAILED, null, error, null, status);
  }

  public static AttemptOutcome timeout(String error) {
    return new AttemptOutcome(AttemptStatus.TIMEOUT, null, error, null, null);
  }

  public static AttemptOutcome cancelled(String error) {
    return new AttemptOutcome(AttemptStatus.CANCELLED, null, error, null, null);
  }

  /** The same outcome with {@code note} added to its error. */
  public AttemptOutcome noted(String note) {
    return new AttemptOutcome(
        status, result, error + " (" + note + ")", exitCode, httpStatus, notAllowed);
  }

  /** The same outcome, now a timeout. */
  public AttemptOutcome asTimeout(String why) {
    return new AttemptOutcome(AttemptStatus.TIMEOUT, null, why, exitCode, httpStatus, notAllowed);
  }
}
