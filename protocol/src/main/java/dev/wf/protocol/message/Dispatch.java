package dev.wf.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.definition.NonRetryable;

/**
 * A step sent to the agents of a pool. {@code dispatchId} is the fencing token: reports that carry
 * another one are from a superseded dispatch and are ignored. {@code action} is the step's action
 * with every template already resolved; the agent runs tries {@code attempt..maxAttempts}, waiting
 * per {@code backoff} between them, each bounded by {@code timeoutMs}; a failure {@code
 * nonRetryable} names is not retried, and no attempt runs past {@code deadlineAt} (epoch ms, the
 * step's {@code deadline}; absent when it has none). Past {@code expiresAt} (epoch ms: the step's
 * start timeout, when the coordinator gives up waiting) no agent takes it: a replay of an old
 * record runs nothing. When dispatches are signed, the record carries {@code wf.signature}, the
 * coordinator's Ed25519 signature of the record (see {@link dev.wf.protocol.trust.Signed}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Dispatch(
    String runId,
    String dispatchId,
    String path,
    String step,
    String pool,
    JsonNode action,
    long timeoutMs,
    int attempt,
    int maxAttempts,
    Backoff backoff,
    String idempotencyKey,
    long dispatchedAt,
    NonRetryable nonRetryable,
    Long deadlineAt,
    Long expiresAt) {

  /** The retry policy in plain numbers (milliseconds). */
  public record Backoff(long initialMs, double multiplier, long maxMs, double jitter) {}
}
