package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Consumer;

/**
 * The machine's view of one run's state. The states it returns are live: the machine changes them
 * in place and the store keeps what was read, created or removed (a Kafka state store writes them
 * back after the input; the in-memory store just holds them).
 */
public interface RunStore {
  /** The run, or null when it has not been started. */
  RunInfo run();

  void putRun(RunInfo run);

  /** The state of the step at {@code path}, or null when that step has not started. */
  StepState step(String path);

  /** A new state for {@code path}, replacing any. */
  StepState create(String path);

  void remove(String path);

  /**
   * A value the run keeps beside its steps' states, or null: the list of a forEach group whose
   * items have not all started, what a rerun reuses.
   */
  JsonNode data(String key);

  void putData(String key, JsonNode value);

  /** Every step state of the run, in no particular order. */
  void forEachStep(Consumer<StepState> visitor);
}
