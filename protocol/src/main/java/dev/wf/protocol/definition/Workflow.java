package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated definition: the root step, the default values of its inputs, and the run's {@code
 * timeout} (the root's, bounding the whole run).
 */
public record Workflow(Step root, Map<String, JsonNode> inputs, Optional<Duration> timeout) {
  public Workflow {
    Objects.requireNonNull(root, "root");
    inputs = Map.copyOf(inputs);
    Objects.requireNonNull(timeout, "timeout");
  }

  public String name() {
    return root.name();
  }
}
