package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.values.NullValue;
import dev.wf.protocol.expr.CelValues;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables a step's condition and templates see: {@code inputs}, the {@code steps} that ended,
 * and inside a forEach group the {@code item} and {@code index} of the nearest iteration. Only the
 * steps a node names are loaded, unless it reads {@code steps} as a whole.
 */
public final class Variables {
  /** Where a run keeps its inputs, beside its steps: read only when an expression needs them. */
  static final String INPUTS = "inputs";

  private final Plan plan;
  private final RunStore store;
  private Map<String, Object> inputs;

  Variables(Plan plan, RunStore store) {
    this.plan = plan;
    this.store = store;
  }

  Map<String, Object> of(Plan.Node node, RunInfo run) {
    if (inputs == null) {
      Map<String, Object> in = new LinkedHashMap<>();
      inputsOf(store, run).forEach((k, v) -> in.put(k, CelValues.fromJson(v)));
      inputs = in;
    }
    Map<String, Object> steps = new HashMap<>();
    if (node.readsAllSteps()) {
      store.forEachStep(
          st -> {
            if (st.ended()) {
              plan.node(st.path).ifPresent(n -> steps.put(n.name(), value(st)));
            }
          });
    } else {
      for (String name : node.reads()) {
        plan.byName(name)
            .map(n -> store.step(n.path()))
            .filter(StepState::ended)
            .ifPresent(st -> steps.put(name, value(st)));
      }
    }
    for (Plan.Node n = node; n != null; n = n.parent().orElse(null)) {
      if (n.isIteration()) {
        StepState it = store.step(n.path());
        Object item = CelValues.fromJson(it == null ? null : it.item);
        return Map.of("inputs", inputs, "steps", steps, "item", item, "index", (long) n.index());
      }
    }
    return Map.of("inputs", inputs, "steps", steps);
  }

  /** The inputs the run in {@code store} started with, its definition's defaults included. */
  public static Map<String, JsonNode> inputsOf(RunStore store) {
    return inputsOf(store, store.run());
  }

  private static Map<String, JsonNode> inputsOf(RunStore store, RunInfo run) {
    JsonNode kept = store.data(INPUTS);
    if (kept == null) {
      return Map.copyOf(run.inputs);
    }
    Map<String, JsonNode> out = new LinkedHashMap<>();
    kept.properties().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static Map<String, Object> value(StepState s) {
    Map<String, Object> v = new HashMap<>();
    v.put("status", s.status.word());
    v.put("result", CelValues.fromJson(s.result));
    v.put("error", s.error == null ? NullValue.NULL_VALUE : s.error);
    v.put("duration", Math.max(0, s.endedAt - s.startedAt));
    v.put("retries", (long) s.retries);
    return v;
  }
}
