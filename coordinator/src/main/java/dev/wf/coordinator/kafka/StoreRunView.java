package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.RunInfo;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.coordinator.engine.StepState;
import dev.wf.coordinator.engine.StepStates;
import dev.wf.coordinator.kafka.Keyspace.StepKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One run's state in the store: its summary and each step's state. Reads are cached for the input
 * being applied; {@link #flush} writes back only what was touched, so an event costs the same
 * whatever the size of the run.
 */
final class StoreRunView implements RunStore {
  private final String runId;
  private final Keyspace state;
  private RunInfo run;
  private boolean runLoaded;
  private byte[] runAsRead;
  private final Map<String, StepState> touched = new HashMap<>();
  private final Map<String, byte[]> asRead = new HashMap<>();
  private final Set<String> removed = new HashSet<>();
  private final Map<String, JsonNode> newData = new HashMap<>();

  StoreRunView(String runId, Keyspace state) {
    this.runId = runId;
    this.state = state;
  }

  @Override
  public RunInfo run() {
    if (!runLoaded) {
      runLoaded = true;
      Table.Stored<RunInfo> stored = state.runs.getStored(runId);
      runAsRead = stored == null ? null : stored.bytes();
      run = stored == null ? null : stored.value();
    }
    return run;
  }

  @Override
  public void putRun(RunInfo r) {
    runLoaded = true;
    run = r;
  }

  @Override
  public StepState step(String path) {
    StepState s = touched.get(path);
    if (s != null || removed.contains(path)) {
      return s;
    }
    Table.Stored<StepState> stored = state.steps.getStored(new StepKey(runId, path));
    if (stored == null) {
      return null;
    }
    touched.put(path, stored.value());
    asRead.put(path, stored.bytes());
    return stored.value();
  }

  @Override
  public StepState create(String path) {
    removed.remove(path);
    StepState s = StepStates.fresh(path);
    touched.put(path, s);
    return s;
  }

  @Override
  public void remove(String path) {
    touched.remove(path);
    removed.add(path);
  }

  @Override
  public JsonNode data(String key) {
    JsonNode pending = newData.get(key);
    return pending != null ? pending : state.runData.get(new StepKey(runId, key));
  }

  @Override
  public void putData(String key, JsonNode value) {
    newData.put(key, value);
  }

  @Override
  public void forEachStep(Consumer<StepState> visitor) {
    Set<String> seen = new HashSet<>();
    touched
        .values()
        .forEach(
            s -> {
              seen.add(s.path());
              visitor.accept(s);
            });
    state.forEachStep(
        runId,
        e -> {
          String path = e.key().path();
          if (!seen.contains(path) && !removed.contains(path)) {
            visitor.accept(e.value());
          }
        });
  }

  /**
   * Writes back every state created, changed or removed while applying the input; a state read and
   * left as it was is not written again (each write is a changelog record in the transaction).
   */
  void flush() {
    if (run != null) {
      state.runs.putIfChanged(runId, run, runAsRead);
    }
    newData.forEach((key, value) -> state.runData.put(new StepKey(runId, key), value));
    for (String path : removed) {
      state.steps.delete(new StepKey(runId, path));
    }
    touched.forEach(
        (path, s) -> state.steps.putIfChanged(new StepKey(runId, path), s, asRead.get(path)));
  }

  /** Deletes every step state of the run (after it ended and its result is out). */
  static void purgeSteps(String runId, Keyspace state) {
    List<StepKey> keys = new ArrayList<>();
    state.forEachStep(runId, e -> keys.add(e.key()));
    keys.forEach(state.steps::delete);
    List<StepKey> data = new ArrayList<>();
    state.forEachRunData(runId, e -> data.add(e.key()));
    data.forEach(state.runData::delete);
  }
}
