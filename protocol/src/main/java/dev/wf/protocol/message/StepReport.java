package dev.wf.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.AttemptStatus;

/** What an agent reports about a dispatch, on the step-events topic keyed by run id. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = StepReport.Started.class, name = "started"),
  @JsonSubTypes.Type(value = StepReport.Retrying.class, name = "retry"),
  @JsonSubTypes.Type(value = StepReport.Finished.class, name = "finished"),
  @JsonSubTypes.Type(value = StepReport.Returned.class, name = "returned"),
  @JsonSubTypes.Type(value = StepReport.Refused.class, name = "refused")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface StepReport {
  String runId();

  String dispatchId();

  String agent();

  long at();

  /** Attempt {@code attempt} began on {@code agent}. */
  record Started(String runId, String dispatchId, int attempt, String agent, long at)
      implements StepReport {}

  /**
   * Attempt {@code attempt} failed ({@code timedOut} or not); the next starts after {@code
   * delayMs}.
   */
  record Retrying(
      String runId,
      String dispatchId,
      int attempt,
      String agent,
      long at,
      String error,
      boolean timedOut,
      long delayMs)
      implements StepReport {}

  /** The last attempt ended with {@code outcome} (success, failed, timeout or cancelled). */
  record Finished(
      String runId,
      String dispatchId,
      int attempt,
      String agent,
      long at,
      AttemptStatus outcome,
      JsonNode result,
      String error)
      implements StepReport {}

  /** The agent is stopping and hands the dispatch back unfinished, to be dispatched again. */
  record Returned(
      String runId, String dispatchId, int attempt, String agent, long at, String reason)
      implements StepReport {}

  /**
   * The agent would not run the dispatch (bad signature, kind not allowed...). {@code verified} is
   * false when the record's signature did not verify: then nothing in it, its run and dispatch ids
   * included, is the coordinator's word, and the refusal names no step (absent: true, as agents
   * sent before they said).
   */
  record Refused(
      String runId, String dispatchId, String agent, long at, String reason, Boolean verified)
      implements StepReport {
    public boolean fromAVerifiedDispatch() {
      return verified == null || verified;
    }
  }
}
