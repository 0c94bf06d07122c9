package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Plan;
import dev.wf.protocol.definition.WorkflowValidator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plans of the runs a task holds: each run's definition is stored when the run is accepted, and
 * its plan built from it once, then kept in a bounded cache.
 */
final class Plans {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");
  private static final int CACHE = 1000;

  private final Table<String, JsonNode> definitions;
  private final WorkflowValidator.Limits limits;
  private final Map<String, Plan> cache =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Plan> eldest) {
          return size() > CACHE;
        }
      };

  Plans(Table<String, JsonNode> definitions, WorkflowValidator.Limits limits) {
    this.definitions = definitions;
    this.limits = limits;
  }

  /** The run's plan; null when there is no such run (or its definition no longer validates). */
  Plan get(String runId) {
    Plan p = cache.get(runId);
    if (p != null) {
      return p;
    }
    try {
      JsonNode def = definitions.get(runId);
      if (def == null) {
        return null;
      }
      p = stored(def, limits);
    } catch (RuntimeException e) {
      LOG.error("run {}: its stored definition no longer validates: {}", runId, e.toString());
      return null;
    }
    cache.put(runId, p);
    return p;
  }

  /** A run accepted with {@code definition}, whose plan is {@code plan}. */
  void accepted(String runId, JsonNode definition, Plan plan) {
    definitions.put(runId, definition);
    cache.put(runId, plan);
  }

  /** The definition the run was accepted with, or null. */
  JsonNode definition(String runId) {
    return definitions.get(runId);
  }

  /** The run ended: its plan is needed no more, unless a late input comes (then it is rebuilt). */
  void ended(String runId) {
    cache.remove(runId);
  }

  /** The run's state is purged: its definition goes too. */
  void purge(String runId) {
    definitions.delete(runId);
    cache.remove(runId);
  }

  /** The plan of a definition the coordinator stored when it accepted the run (so it validates). */
  static Plan stored(JsonNode definition, WorkflowValidator.Limits limits) {
    return Plan.of(WorkflowValidator.validate(definition, limits).workflow().orElseThrow());
  }
}
