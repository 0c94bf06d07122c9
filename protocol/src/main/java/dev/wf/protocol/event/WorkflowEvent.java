package dev.wf.protocol.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One record of the events topic, keyed by run id (DESIGN.md section 3). Fields a type does not use
 * are left out of the JSON. {@code result} is a step's result on {@code step:complete} and the
 * WorkflowResult on {@code workflow:complete}; {@code delay} is the wait before a retry in ms;
 * {@code message} is what an approval step asks ({@code step:approval}).
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
    String reason,
    String message) {
  public WorkflowEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(runId, "runId");
  }

  /** An event of {@code type} about run {@code runId}; set what the type carries, then build. */
  public static Builder of(EventType type, String runId) {
    return new Builder(type, runId);
  }

  /** Assembles a {@link WorkflowEvent}; fields not set stay out of the JSON. */
  public static final class Builder {
    private final EventType type;
    private final String runId;
    private String path;
    private String step;
    private Integer attempt;
    private String agent;
    private Long duration;
    private String error;
    private Long delay;
    private JsonNode result;
    private String reason;
    private String message;

    private Builder(EventType type, String runId) {
      this.type = type;
      this.runId = runId;
    }

    /** The step it is about: its path and its name. */
    public Builder step(String path, String name) {
      this.path = path;
      this.step = name;
      return this;
    }

    public Builder attempt(int a) {
      attempt = a;
      return this;
    }

    public Builder agent(String a) {
      agent = a;
      return this;
    }

    public Builder duration(long d) {
      duration = d;
      return this;
    }

    public Builder error(String e) {
      error = e;
      return this;
    }

    public Builder delay(long d) {
      delay = d;
      return this;
    }

    public Builder result(JsonNode r) {
      result = r;
      return this;
    }

    public Builder reason(String r) {
      reason = r;
      return this;
    }

    public Builder message(String m) {
      message = m;
      return this;
    }

    /** The event, stamped {@code at} (ISO-8601 UTC). */
    public WorkflowEvent at(String at) {
      return new WorkflowEvent(
          type, runId, path, step, at, attempt, agent, duration, error, delay, result, reason,
          message);
    }
  }
}
