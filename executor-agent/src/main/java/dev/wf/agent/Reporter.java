package dev.wf.agent;

import dev.wf.agent.action.AttemptOutcome;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What an agent says about one dispatch, to the coordinator: every report names the run, the
 * dispatch, this agent and the time, so the callers say only what happened.
 */
final class Reporter {
  private final String runId;
  private final String dispatchId;
  private final String agent;
  private final LongSupplier clock;
  private final Consumer<StepReport> out;

  Reporter(Dispatch d, String agent, LongSupplier clock, Consumer<StepReport> out) {
    this(d.runId(), d.dispatchId(), agent, clock, out);
  }

  Reporter(
      String runId, String dispatchId, String agent, LongSupplier clock, Consumer<StepReport> out) {
    this.runId = runId;
    this.dispatchId = dispatchId;
    this.agent = agent;
    this.clock = clock;
    this.out = out;
  }

  void started(int attempt) {
    out.accept(new StepReport.Started(runId, dispatchId, attempt, agent, clock.getAsLong()));
  }

  void retrying(int attempt, AttemptOutcome failed, long delayMs) {
    out.accept(
        new StepReport.Retrying(
            runId,
            dispatchId,
            attempt,
            agent,
            clock.getAsLong(),
            failed.error(),
            failed.status() == AttemptStatus.TIMEOUT,
            delayMs));
  }

  void finished(int attempt, AttemptOutcome outcome) {
    out.accept(
        new StepReport.Finished(
            runId,
            dispatchId,
            attempt,
            agent,
            clock.getAsLong(),
            outcome.status(),
            outcome.result(),
            outcome.error()));
  }

  /** The agent is stopping: the coordinator dispatches the step again at once. */
  void handedBack(int attempt, String reason) {
    out.accept(
        new StepReport.Returned(runId, dispatchId, attempt, agent, clock.getAsLong(), reason));
  }

  /** The agent will not run it; the coordinator fails the step with {@code reason}. */
  /** {@code verified}: the dispatch's signature verified, so its ids are the coordinator's. */
  void refused(String reason, boolean verified) {
    out.accept(
        new StepReport.Refused(runId, dispatchId, agent, clock.getAsLong(), reason, verified));
  }
}
