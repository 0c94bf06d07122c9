package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One attempt of a step: a try of a leaf on an agent (numbered from 1; a lost attempt keeps its
 * number when the step is dispatched again), or one run of a group under {@code onError: retry}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attempt(
    int attempt, AttemptStatus status, String agent, Long startedAt, Long duration, String error) {
  public Attempt ended(AttemptStatus outcome, long now, String message) {
    long took = startedAt == null ? 0 : Math.max(0, now - startedAt);
    return new Attempt(attempt, outcome, agent, startedAt, took, message);
  }
}
