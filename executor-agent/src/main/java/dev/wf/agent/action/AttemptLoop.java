package dev.wf.agent.action;

import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.ActionJson;
import dev.wf.protocol.definition.NonRetryable;
import dev.wf.protocol.definition.RetryPolicy;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.AttemptStatus;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs a dispatch's attempts on this agent: attempt {@code d.attempt()} to {@code d.maxAttempts()},
 * waiting the policy's backoff between them, reporting each start, retry and the end.
 */
public final class AttemptLoop {
  /** Where the loop's reports go (the agent publishes them to the step-events topic). */
  public interface Reports {
    void started(int attempt);

    void retrying(int attempt, AttemptOutcome failed, long delayMs);

    void finished(int attempt, AttemptOutcome outcome);
  }

  private final ActionRunner runner;
  private final Clock clock;

  public AttemptLoop(ActionRunner runner) {
    this(runner, Clock.systemUTC());
  }

  public AttemptLoop(ActionRunner runner, Clock clock) {
    this.runner = runner;
    this.clock = clock;
  }

  public void run(Dispatch d, Path workdir, Cancellation cancel, Reports reports)
      throws InterruptedException {
    Action action;
    try {
      action = ActionJson.read(d.action());
    } catch (IllegalArgumentException e) {
      reports.finished(
          d.attempt(),
          AttemptOutcome.failed("cannot read the dispatched action: " + e.getMessage()));
      return;
    }
    Dispatch.Backoff b = d.backoff();
    RetryPolicy policy =
        b == null
            ? RetryPolicy.DEFAULT
            : new RetryPolicy(
                Duration.ofMillis(b.initialMs()),
                b.multiplier(),
                Duration.ofMillis(b.maxMs()),
                b.jitter());
    int max = Math.max(d.attempt(), d.maxAttempts());
    NonRetryable nonRetryable = d.nonRetryable() == null ? NonRetryable.NONE : d.nonRetryable();
    for (int attempt = d.attempt(); ; attempt++) {
      Duration timeout = Duration.ofMillis(d.timeoutMs());
      boolean deadlineCuts = false;
      if (d.deadlineAt() != null) {
        long left = d.deadlineAt() - clock.millis();
        if (left <= 0) {
          String why = "the step's deadline passed before attempt " + attempt + " could start";
          reports.finished(attempt, AttemptOutcome.timeout(why));
          return;
        }
        deadlineCuts = left < timeout.toMillis();
        timeout = deadlineCuts ? Duration.ofMillis(left) : timeout;
      }
      reports.started(attempt);
      AttemptContext ctx =
          new AttemptContext(
              d.runId(), d.path(), attempt, d.idempotencyKey(), timeout, workdir, cancel);
      AttemptOutcome outcome;
      try {
        outcome = runner.run(action, ctx);
      } catch (RuntimeException e) {
        outcome = AttemptOutcome.failed("the agent failed running the action: " + e);
      }
      if (cancel.isCancelled() && outcome.status() != AttemptStatus.SUCCESS) {
        outcome = AttemptOutcome.cancelled("cancelled: " + cancel.reason());
      }
      if (deadlineCuts && outcome.status() == AttemptStatus.TIMEOUT) {
        String why = "the step's deadline passed during attempt " + attempt;
        reports.finished(attempt, outcome.asTimeout(why));
        return;
      }
      boolean retryable =
          outcome.status() == AttemptStatus.FAILED || outcome.status() == AttemptStatus.TIMEOUT;
      String notRetried = nonRetryable.reason(outcome.exitCode(), outcome.httpStatus());
      if (notRetried != null && retryable && attempt < max) {
        reports.finished(attempt, outcome.noted("not retried: " + notRetried));
        return;
      }
      if (!retryable || attempt >= max) {
        reports.finished(attempt, outcome);
        return;
      }
      long delay = policy.backoff(attempt, ThreadLocalRandom.current().nextDouble()).toMillis();
      if (d.deadlineAt() != null && clock.millis() + delay >= d.deadlineAt()) {
        String why = "the step's deadline comes before attempt " + (attempt + 1) + " could start";
        reports.finished(attempt, outcome.asTimeout(why + "; last: " + outcome.error()));
        return;
      }
      reports.retrying(attempt, outcome, delay);
      if (cancel.await(delay)) {
        reports.finished(attempt, AttemptOutcome.cancelled("cancelled: " + cancel.reason()));
        return;
      }
    }
  }
}
