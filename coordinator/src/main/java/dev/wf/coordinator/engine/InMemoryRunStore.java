package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** A run's state held in memory: for tests, benchmarks and the query of a finished plan. */
public final class InMemoryRunStore implements RunStore {
  private RunInfo run;
  private final Map<String, StepState> steps = new LinkedHashMap<>();
  private final Map<String, JsonNode> data = new HashMap<>();

  @Override
  public RunInfo run() {
    return run;
  }

  @Override
  public void putRun(RunInfo run) {
    this.run = run;
  }

  @Override
  public StepState step(String path) {
    return steps.get(path);
  }

  @Override
  public StepState create(String path) {
    StepState s = new StepState(path);
    steps.put(path, s);
    return s;
  }

  @Override
  public void remove(String path) {
    steps.remove(path);
  }

  @Override
  public JsonNode data(String key) {
    return data.get(key);
  }

  @Override
  public void putData(String key, JsonNode value) {
    data.put(key, value);
  }

  @Override
  public void forEachStep(Consumer<StepState> visitor) {
    steps.values().forEach(visitor);
  }

  public int stepCount() {
    return steps.size();
  }
}
