package dev.wf.agent.action;

import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.ActionJson;
import dev.wf.protocol.definition.RetryPolicy;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.AttemptStatus;
import java.nio.file.Path;
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

  public AttemptLoop(ActionRunner runner) {
    this.runner = runner;
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
    for (int attempt = d.attempt(); ; attempt++) {
      reports.started(attempt);
      AttemptContext ctx =
          new AttemptContext(
              d.runId(),
              d.path(),
              attempt,
              d.idempotencyKey(),
              Duration.ofMillis(d.timeoutMs()),
              workdir,
              cancel);
      AttemptOutcome outcome;
      try {
        outcome = runner.run(action, ctx);
      } catch (RuntimeException e) {
        outcome = AttemptOutcome.failed("the agent failed running the action: " + e);
      }
      if (cancel.isCancelled() && outcome.status() != AttemptStatus.SUCCESS) {
        outcome = AttemptOutcome.cancelled("cancelled: " + cancel.reason());
      }
      boolean retryable =
          outcome.status() == AttemptStatus.FAILED || outcome.status() == AttemptStatus.TIMEOUT;
      if (!retryable || attempt >= max) {
        reports.finished(attempt, outcome);
        return;
      }
      long delay = policy.backoff(attempt, ThreadLocalRandom.current().nextDouble()).toMillis();
      reports.retrying(attempt, outcome, delay);
      if (cancel.await(delay)) {
        reports.finished(attempt, AttemptOutcome.cancelled("cancelled: " + cancel.reason()));
        return;
      }
    }
  }
}
