package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The outcome of one step (DESIGN.md section 2). {@code agent} is the agent that ran the last
 * attempt of a leaf; {@code retries} the retries used. A step in flight shown {@code waiting} says
 * what it waits for in {@code waitingFor}; a step a rerun took from the earlier run is {@code
 * reused}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepResult(
    String name,
    String path,
    StepStatus status,
    long duration,
    JsonNode result,
    String error,
    int retries,
    String agent,
    List<Attempt> attempts,
    String waitingFor,
    Boolean reused) {
  public StepResult {
    attempts = attempts == null ? List.of() : List.copyOf(attempts);
  }
}
