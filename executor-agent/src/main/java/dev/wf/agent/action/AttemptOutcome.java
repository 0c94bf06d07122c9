package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.AttemptStatus;

/** How one attempt of an action ended, with its result (success) or error (anything else). */
public record AttemptOutcome(AttemptStatus status, JsonNode result, String error) {
  public static AttemptOutcome success(JsonNode result) {
    return new AttemptOutcome(AttemptStatus.SUCCESS, result, null);
  }

  public static AttemptOutcome failed(String error) {
    return new AttemptOutcome(AttemptStatus.FAILED, null, error);
  }

  public static AttemptOutcome timeout(String error) {
    return new AttemptOutcome(AttemptStatus.TIMEOUT, null, error);
  }

  public static AttemptOutcome cancelled(String error) {
    return new AttemptOutcome(AttemptStatus.CANCELLED, null, error);
  }
}
