package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.message.StepReport;
import java.util.Map;

/** What can happen to a run. */
public sealed interface Input {
  /**
   * Start the run with these inputs (over the definition's defaults); a rerun also says which steps
   * of the earlier run it takes as they were ({@link Reruns}).
   */
  record StartRun(String runId, Map<String, JsonNode> inputs, Reruns.Reuse rerun) implements Input {
    public StartRun {
      inputs = Map.copyOf(inputs);
    }

    public StartRun(String runId, Map<String, JsonNode> inputs) {
      this(runId, inputs, null);
    }
  }

  /** Stop the run: cancel what runs, dispatch nothing more. */
  record CancelRun(String reason) implements Input {}

  /** An agent's report about a dispatch. */
  record Report(StepReport report) implements Input {}

  /** A timer the machine set earlier is due. */
  record TimerFired(String timerId) implements Input {}

  /** A person's decision on the approval step named {@code step}. */
  record Signal(String runId, String step, boolean approve, String by, String comment)
      implements Input {}

  /** The keeper of concurrency keys answers the step at {@code path} about {@code key}. */
  record KeyAnswer(KeyKeeper.Answer answer, String key, String path, String other)
      implements Input {}

  /** The agent running {@code dispatchId} is gone (it stopped heartbeating). */
  record AttemptLost(String dispatchId, String reason) implements Input {}
}
