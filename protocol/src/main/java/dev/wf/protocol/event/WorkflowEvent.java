package dev.wf.protocol.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One record of the events topic, keyed by run id (DESIGN.md section 3). Fields a type does not use
 * are left out of the JSON. {@code result} is a step's result on {@code step:complete} and the
 * WorkflowResult on {@code workflow:complete}; {@code delay} is the wait before a retry in ms.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkflowEvent(
    EventType type,
    String runId,
    String path,
    String step,
    String at,
    Integer attempt,
    String agent,
    Long duration,
    String error,
    Long delay,
    JsonNode result,
    String reason) {
  public WorkflowEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(runId, "runId");
  }
}
