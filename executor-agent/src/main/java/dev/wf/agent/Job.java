package dev.wf.agent;

import dev.wf.agent.action.Cancellation;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.DispatchRef;
import java.util.concurrent.Future;

/** One dispatch being run on this agent. */
final class Job {
  final Dispatch dispatch;
  final Reporter report;
  final Cancellation cancel = new Cancellation();
  volatile boolean handBack;
  volatile int attempt;
  volatile Future<?> future;

  Job(Dispatch dispatch, Reporter report) {
    this.dispatch = dispatch;
    this.report = report;
    this.attempt = dispatch.attempt();
  }

  DispatchRef ref() {
    return new DispatchRef(dispatch.runId(), dispatch.dispatchId());
  }
}
