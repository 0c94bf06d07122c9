package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --input key=value}: the value takes the type of the default it overrides, else string. */
final class Inputs {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Inputs() {}

  static Map<String, JsonNode> parse(List<String> pairs, Map<String, JsonNode> defaults) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (pairs == null) {
      return out;
    }
    for (String pair : pairs) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UserError(Main.INVALID, "--input " + pair + ": expected key=value");
      }
      String key = pair.substring(0, eq);
      String value = pair.substring(eq + 1);
      out.put(key, typed(key, value, defaults.get(key)));
    }
    return out;
  }

  private static JsonNode typed(String key, String value, JsonNode dflt) {
    if (dflt == null || dflt.isTextual() || dflt.isNull()) {
      return NODES.textNode(value);
    }
    try {
      if (dflt.isIntegralNumber()) {
        return NODES.numberNode(Long.parseLong(value.trim()));
      }
      if (dflt.isNumber()) {
        return NODES.numberNode(Double.parseDouble(value.trim()));
      }
    } catch (NumberFormatException e) {
      throw wrongType(key, value, "a number (its default is " + dflt + ")");
    }
    if (dflt.isBoolean()) {
      if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
        return NODES.booleanNode(Boolean.parseBoolean(value.toLowerCase(java.util.Locale.ROOT)));
      }
      throw wrongType(key, value, "true or false");
    }
    try {
      JsonNode parsed = Json.MAPPER.readTree(value);
      if (parsed != null && parsed.getNodeType() == dflt.getNodeType()) {
        return parsed;
      }
    } catch (IOException e) {
      // fall through to the error
    }
    throw wrongType(key, value, dflt.isArray() ? "a JSON list" : "a JSON object");
  }

  /** {@code --input key=value: key is <what>} (exit 2). */
  private static UserError wrongType(String key, String value, String what) {
    return new UserError(Main.INVALID, "--input " + key + "=" + value + ": " + key + " is " + what);
  }
}
