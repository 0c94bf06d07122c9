package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Actions as they travel in a dispatch: written with every template already rendered, read back by
 * the agent without ever evaluating anything (a value that looks like a template is plain text).
 */
public final class ActionJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ActionJson() {}

  /** The action as JSON, each templatable value passed through {@code render}. */
  public static ObjectNode write(Action action, UnaryOperator<String> render) {
    ObjectNode o = NODES.objectNode();
    o.put("kind", action.kind());
    if (action instanceof Action.Shell s) {
      o.put("command", s.command());
      ArrayNode args = o.putArray("args");
      s.args().forEach(a -> args.add(render.apply(a)));
      ObjectNode env = o.putObject("env");
      s.env().forEach((k, v) -> env.put(k, render.apply(v)));
      s.workdir().ifPresent(w -> o.put("workdir", render.apply(w)));
    } else if (action instanceof Action.Http h) {
      o.put("method", h.method());
      o.put("url", render.apply(h.url()));
      ObjectNode headers = o.putObject("headers");
      h.headers().forEach((k, v) -> headers.put(k, render.apply(v)));
      h.body().ifPresent(b -> o.put("body", render.apply(b)));
      ArrayNode expect = o.putArray("expectStatus");
      h.expectStatus().forEach(expect::add);
    } else if (action instanceof Action.Noop n) {
      n.result().ifPresent(r -> o.set("result", r));
    } else if (action instanceof Action.Sleep s) {
      o.put("duration", s.duration().toMillis());
    } else if (action instanceof Action.Plugin p) {
      o.setAll((ObjectNode) p.spec().deepCopy());
    }
    return o;
  }

  /**
   * Reads an action written by {@link #write}.
   *
   * @throws IllegalArgumentException naming the field that is missing or of the wrong type
   */
  public static Action read(JsonNode o) {
    if (o == null || !o.isObject()) {
      throw new IllegalArgumentException("action must be an object");
    }
    String kind = text(o, "kind");
    return switch (kind) {
      case "shell" ->
          new Action.Shell(
              text(o, "command"),
              strings(o.get("args")),
              stringMap(o.get("env")),
              Optional.ofNullable(o.get("workdir")).map(JsonNode::asText));
      case "http" -> {
        List<Integer> expect = new ArrayList<>();
        JsonNode e = o.get("expectStatus");
        if (e != null && e.isArray()) {
          e.forEach(n -> expect.add(n.asInt()));
        } else if (e != null && e.isIntegralNumber()) {
          expect.add(e.asInt()); // a code alone, as the definition allows
        }
        yield new Action.Http(
            o.path("method").asText("GET"),
            text(o, "url"),
            stringMap(o.get("headers")),
            Optional.ofNullable(o.get("body")).map(JsonNode::asText),
            expect);
      }
      case "noop" -> new Action.Noop(Optional.ofNullable(o.get("result")));
      case "sleep" -> new Action.Sleep(Duration.ofMillis(o.path("duration").asLong()));
      default -> new Action.Plugin(kind, o);
    };
  }

  private static String text(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || !n.isTextual()) {
      throw new IllegalArgumentException("action." + field + " must be a string");
    }
    return n.textValue();
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n != null) {
      n.forEach(e -> out.add(e.asText()));
    }
    return out;
  }

  private static Map<String, String> stringMap(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n != null) {
      n.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    }
    return out;
  }
}
