package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the seed orchestrator gives for a definition whose actions all succeed: every step listed
 * once with the seed's path, children before their group, sequential siblings in order. Computed
 * here from the definition itself, independently of the engine.
 */
final class SeedShape {
  private static final Pattern CHILD =
      Pattern.compile("^(.*)\\.(sequential|parallel)\\[(\\d+)\\]$");

  private SeedShape() {}

  /** Path to step name, for every step of {@code definition}. */
  static Map<String, String> paths(JsonNode definition) {
    Map<String, String> out = new LinkedHashMap<>();
    walk(definition, definition.get("name").asText(), out);
    return out;
  }

  private static void walk(JsonNode step, String path, Map<String, String> out) {
    out.put(path, step.get("name").asText());
    JsonNode steps = step.get("steps");
    if (steps != null) {
      String type = step.path("type").asText("sequential");
      for (int i = 0; i < steps.size(); i++) {
        walk(steps.get(i), path + "." + type + "[" + i + "]", out);
      }
    }
  }

  /** Checks an all-success run against the seed's result shape. */
  static void assertAllSucceeded(JsonNode definition, WorkflowResult r) {
    Map<String, String> expected = paths(definition);
    assertThat(r.success()).as("success").isTrue();
    assertThat(r.errors()).as("errors").isEmpty();
    assertThat(r.name()).isEqualTo(definition.get("name").asText());
    Map<String, String> actual = new LinkedHashMap<>();
    for (StepResult s : r.steps()) {
      assertThat(actual.put(s.path(), s.name())).as("listed once: " + s.path()).isNull();
      assertThat(s.status().word()).as("status of " + s.path()).isEqualTo("success");
    }
    assertThat(actual).isEqualTo(expected);
    assertOrder(r.steps());
  }

  /** Children before their group; sequential siblings in index order. */
  static void assertOrder(List<StepResult> steps) {
    Map<String, Integer> position = new HashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      position.put(steps.get(i).path(), i);
    }
    for (StepResult s : steps) {
      Matcher m = CHILD.matcher(s.path());
      if (!m.matches()) {
        continue;
      }
      String parent = m.group(1);
      if (position.containsKey(parent)) {
        assertThat(position.get(s.path()))
            .as(s.path() + " before its group")
            .isLessThan(position.get(parent));
      }
      int index = Integer.parseInt(m.group(3));
      if (m.group(2).equals("sequential") && index > 0) {
        String previous = parent + ".sequential[" + (index - 1) + "]";
        if (position.containsKey(previous)) {
          assertThat(position.get(previous))
              .as(previous + " before " + s.path())
              .isLessThan(position.get(s.path()));
        }
      }
    }
  }

  static StepResult step(WorkflowResult r, String name) {
    return r.steps().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + name));
  }
}
