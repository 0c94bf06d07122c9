package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.RunInfo;
import dev.wf.coordinator.engine.RunStore;
import dev.wf.coordinator.engine.StepState;
import dev.wf.coordinator.engine.StepStates;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * One run's state over two stores: the run summary keyed by run id, and each step's state keyed by
 * {@code runId NUL path}. Reads are cached for the input being applied; {@link #flush} writes back
 * only what was touched, so an event costs the same whatever the size of the run.
 */
final class StoreRunView implements RunStore {
  static final char SEP = '\u0000';

  private final String runId;
  private final Keyspace.In runs;
  private final Keyspace.In steps;
  private RunInfo run;
  private boolean runLoaded;
  private byte[] runAsRead;
  private final Map<String, StepState> touched = new HashMap<>();
  private final Map<String, byte[]> asRead = new HashMap<>();
  private final Set<String> removed = new HashSet<>();
  private final Map<String, JsonNode> newData = new HashMap<>();

  StoreRunView(String runId, Keyspace.In runs, Keyspace.In steps) {
    this.runId = runId;
    this.runs = runs;
    this.steps = steps;
  }

  static String stepKey(String runId, String path) {
    return runId + SEP + path;
  }

  @Override
  public RunInfo run() {
    if (!runLoaded) {
      runLoaded = true;
      byte[] b = runs.get(runId);
      runAsRead = b;
      run = b == null ? null : read(b, RunInfo.class);
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
    byte[] b = steps.get(stepKey(runId, path));
    if (b == null) {
      return null;
    }
    s = read(b, StepState.class);
    touched.put(path, s);
    asRead.put(path, b);
    return s;
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
    if (pending != null) {
      return pending;
    }
    byte[] b = steps.of(Keyspace.RUN_DATA).get(stepKey(runId, key));
    return b == null ? null : read(b, JsonNode.class);
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
    try (KeyValueIterator<String, byte[]> it = steps.prefixScan(runId + SEP)) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        String path = kv.key.substring(runId.length() + 1);
        if (!seen.contains(path) && !removed.contains(path)) {
          visitor.accept(read(kv.value, StepState.class));
        }
      }
    }
  }

  /**
   * Writes back every state created, changed or removed while applying the input; a state read and
   * left as it was is not written again (each write is a changelog record in the transaction).
   */
  void flush() {
    if (run != null) {
      byte[] b = Json.write(run);
      if (!Arrays.equals(b, runAsRead)) {
        runs.put(runId, b);
      }
    }
    Keyspace.In data = steps.of(Keyspace.RUN_DATA);
    newData.forEach((key, value) -> data.put(stepKey(runId, key), Json.write(value)));
    for (String path : removed) {
      steps.delete(stepKey(runId, path));
    }
    touched.forEach(
        (path, s) -> {
          byte[] b = Json.write(s);
          if (!Arrays.equals(b, asRead.get(path))) {
            steps.put(stepKey(runId, path), b);
          }
        });
  }

  /** Deletes every step state of the run (after it ended and its result is out). */
  static void purgeSteps(String runId, Keyspace.In steps) {
    purge(runId, steps);
    purge(runId, steps.of(Keyspace.RUN_DATA));
  }

  private static void purge(String runId, Keyspace.In kind) {
    java.util.List<String> keys = new java.util.ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = kind.prefixScan(runId + SEP)) {
      it.forEachRemaining(kv -> keys.add(kv.key));
    }
    keys.forEach(kind::delete);
  }

  private static <T> T read(byte[] b, Class<T> type) {
    try {
      return Json.read(b, type);
    } catch (IOException e) {
      throw new UncheckedIOException("corrupt state for run", e);
    }
  }
}
