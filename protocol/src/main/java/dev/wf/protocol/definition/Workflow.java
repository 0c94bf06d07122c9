package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;

/** A validated definition: the root step and the default values of its inputs. */
public record Workflow(Step root, Map<String, JsonNode> inputs) {
  public Workflow {
    Objects.requireNonNull(root, "root");
    inputs = Map.copyOf(inputs);
  }

  public String name() {
    return root.name();
  }
}
