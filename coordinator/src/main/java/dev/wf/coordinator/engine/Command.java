package dev.wf.coordinator.engine;

import dev.wf.protocol.definition.Concurrency;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.WorkflowResult;

/** What the machine asks its shell to do, in order, after the state is stored. */
public sealed interface Command {
  /** Send a step to the agents of its pool. */
  record DispatchStep(Dispatch dispatch) implements Command {}

  /** Ask {@code agent} to stop running {@code dispatchId}. */
  record CancelAttempt(String agent, String runId, String dispatchId, String reason)
      implements Command {}

  /** Publish an event for dashboards. */
  record Emit(WorkflowEvent event) implements Command {}

  /** Fire {@code timerId} at {@code dueAt} (epoch ms), replacing a timer of the same id. */
  record SetTimer(String timerId, long dueAt) implements Command {}

  record ClearTimer(String timerId) implements Command {}

  /** Ask the keeper of concurrency keys for {@code key}, for the step at {@code path}. */
  record Acquire(String key, String runId, String path, Concurrency.OnBusy onBusy)
      implements Command {}

  /** The step at {@code path} ended: it holds {@code key}, or waits for it, no more. */
  record Release(String key, String runId, String path) implements Command {}

  /** The run ended: publish its result. */
  record PublishResult(WorkflowResult result) implements Command {}
}
