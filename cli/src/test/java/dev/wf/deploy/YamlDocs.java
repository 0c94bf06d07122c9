package dev.wf.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YAML files of the kit (compose, manifests) and the shapes of their values. */
final class YamlDocs {
  private static final YAMLMapper YAML = new YAMLMapper();

  private YamlDocs() {}

  /** The documents of a file (several where it has {@code ---}), empty ones left out. */
  static List<JsonNode> read(Path f) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !d.isMissingNode()) {
          docs.add(d);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(DeployFiles.rel(f) + " is no valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  /** A compose environment (map or KEY=VALUE list) or a ConfigMap's data. */
  static Map<String, String> envMap(JsonNode node) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node.isObject()) {
      node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    } else if (node.isArray()) {
      node.forEach(
          n -> {
            String s = n.asText();
            int eq = s.indexOf('=');
            out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
          });
    }
    return out;
  }

  /** The items of a list as text (nested ones as JSON). */
  static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    node.forEach(n -> out.add(n.isValueNode() ? n.asText() : n.toString()));
    return out;
  }

  /**
   * The command a container runs: its {@code fields} (compose: entrypoint, command; Kubernetes:
   * command, args) in order, each a list or a string split on blanks.
   */
  static List<String> argv(JsonNode container, String... fields) {
    List<String> out = new ArrayList<>();
    for (String field : fields) {
      JsonNode node = container.path(field);
      out.addAll(node.isTextual() ? List.of(node.asText().trim().split("\\s+")) : texts(node));
    }
    return out;
  }
}
