package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
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
   * Reads an action written by {@link #write}, with the readers the validator uses but none of its
   * rules: values are taken as they are, templates included.
   *
   * @throws IllegalArgumentException naming the field that is missing or of the wrong type
   */
  public static Action read(JsonNode o) {
    Fields f = Fields.throwing();
    f.expect(o != null && o.isObject(), "action", "must be a mapping", o);
    String kind = f.text(o.get("kind"), "action.kind", "must be a string", true);
    return switch (kind) {
      case "shell" ->
          new Action.Shell(
              f.text(o.get("command"), "action.command", "must be a string", true),
              f.strings(o.get("args"), "action.args", Fields.NO_CHECK),
              f.stringMap(o.get("env"), "action.env", false, Fields.NO_CHECK),
              f.optionalString(o.get("workdir"), "action.workdir", Fields.NO_CHECK));
      case "http" ->
          new Action.Http(
              f.optionalString(o.get("method"), "action.method", Fields.NO_CHECK).orElse("GET"),
              f.text(o.get("url"), "action.url", "must be a string", true),
              f.stringMap(o.get("headers"), "action.headers", false, Fields.NO_CHECK),
              f.optionalString(o.get("body"), "action.body", Fields.NO_CHECK),
              f.statusCodes(o.get("expectStatus"), "action.expectStatus"));
      case "noop" -> new Action.Noop(Optional.ofNullable(o.get("result")));
      case "sleep" -> new Action.Sleep(f.duration(o, "action", "duration", Duration.ZERO, true));
      default -> new Action.Plugin(kind, o);
    };
  }
}
