package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Fields.at;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.expr.InvalidExpressionException;
import dev.wf.protocol.expr.Template;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The rules of a leaf's action, one reader per built-in kind and one for plug-in kinds. */
final class ActionRules {
  private static final Set<String> KINDS = Set.of("shell", "http", "noop", "sleep", "approval");
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");

  private final Fields fields;
  private final ReferenceCheck references;
  private final LanguageRules language;

  ActionRules(Fields fields, ReferenceCheck references) {
    this.fields = fields;
    this.references = references;
    this.language = new LanguageRules(fields, references);
  }

  /** The action {@code a} of the leaf at {@code place}; null when it is wrong. */
  Action action(JsonNode a, String path, StepPlace place) {
    String like = "must be a mapping with a kind, like { kind: shell, command: \"make\" }";
    if (!fields.expect(a.isObject(), path, like, a)) {
      return null;
    }
    JsonNode k = a.get("kind");
    if (k == null) {
      fields.error(
          at(path, "kind"), "is required (shell, http, noop, sleep, approval or a plug-in kind)");
      return null;
    }
    if (!fields.expect(k.isTextual(), at(path, "kind"), "must be a string", k)) {
      return null;
    }
    String kind = k.textValue();
    return switch (kind) {
      case "shell" -> shell(a, path, place);
      case "http" -> http(a, path, place);
      case "noop" -> noop(a, path);
      case "sleep" -> sleep(a, path);
      case "approval" -> language.approval(a, path, templates(place));
      default -> plugin(a, path, kind);
    };
  }

  private Action shell(JsonNode a, String path, StepPlace place) {
    fields.unknownFields(a, path, Set.of("kind", "command", "args", "env", "workdir"));
    String cPath = at(path, "command");
    String command = fields.text(a.get("command"), cPath, "must be a non-empty string", false);
    if (command != null && Template.hasTemplate(command)) {
      fields.error(
          cPath,
          "must not contain ${{ }} templates: pass values through env or args (they reach the command as $NAME or $1, never as shell syntax)");
      command = null;
    }
    Fields.ValueCheck templates = (v, p) -> template(v, p, place);
    List<String> args = fields.strings(a.get("args"), at(path, "args"), templates);
    Map<String, String> env = fields.stringMap(a.get("env"), at(path, "env"), true, templates);
    Optional<String> workdir =
        fields.optionalString(a.get("workdir"), at(path, "workdir"), templates);
    return command == null || env == null ? null : new Action.Shell(command, args, env, workdir);
  }

  private Action http(JsonNode a, String path, StepPlace place) {
    fields.unknownFields(
        a, path, Set.of("kind", "method", "url", "headers", "body", "expectStatus"));
    String method = "GET";
    JsonNode m = a.get("method");
    if (m != null) {
      boolean ok = m.isTextual() && HTTP_METHODS.contains(m.textValue().toUpperCase(Locale.ROOT));
      String expected =
          "must be one of " + String.join(", ", HTTP_METHODS.stream().sorted().toList());
      if (fields.expect(ok, at(path, "method"), expected, m)) {
        method = m.textValue().toUpperCase(Locale.ROOT);
      }
    }
    String url = fields.text(a.get("url"), at(path, "url"), "must be a string", false);
    if (url != null) {
      template(url, at(path, "url"), place);
      if (!Template.hasTemplate(url) && !url.matches("(?i)https?://.+")) {
        fields.error(at(path, "url"), "must be an http:// or https:// URL, found \"" + url + "\"");
      }
    }
    Fields.ValueCheck templates = (v, p) -> template(v, p, place);
    Map<String, String> headers =
        fields.stringMap(a.get("headers"), at(path, "headers"), false, templates);
    Optional<String> body = Optional.empty();
    JsonNode b = a.get("body");
    if (b != null && !b.isNull()) {
      String text = b.isTextual() ? b.textValue() : b.toString();
      template(text, at(path, "body"), place);
      body = Optional.of(text);
    }
    List<Integer> expect = fields.statusCodes(a.get("expectStatus"), at(path, "expectStatus"));
    return url == null || headers == null
        ? null
        : new Action.Http(method, url, headers, body, expect);
  }

  private Action noop(JsonNode a, String path) {
    fields.unknownFields(a, path, Set.of("kind", "result"));
    return new Action.Noop(Optional.ofNullable(a.get("result")));
  }

  private Action sleep(JsonNode a, String path) {
    fields.unknownFields(a, path, Set.of("kind", "duration"));
    if (!a.has("duration")) {
      fields.error(at(path, "duration"), "is required (like 10s)");
      return null;
    }
    Duration d = fields.duration(a, path, "duration", Duration.ZERO, true);
    return d == null ? null : new Action.Sleep(d);
  }

  private Action plugin(JsonNode a, String path, String kind) {
    Optional<String> close = Suggestions.closest(kind, KINDS);
    if (close.isPresent() && !close.get().equals(kind)) {
      fields.error(
          at(path, "kind"),
          "unknown action kind \"" + kind + "\" (did you mean '" + close.get() + "'?)");
      return null;
    }
    if (!KIND.matcher(kind).matches()) {
      fields.error(
          at(path, "kind"),
          "must be shell, http, noop, sleep or a plug-in kind of lowercase letters, digits, '.', '_' or '-', found \""
              + kind
              + "\"");
      return null;
    }
    fields.warning(
        at(path, "kind"),
        "\""
            + kind
            + "\" is not a built-in kind; only agents with a plug-in for it can run this step");
    return new Action.Plugin(kind, a);
  }

  /** The check of the templates of values at {@code place}. */
  Fields.ValueCheck templates(StepPlace place) {
    return (v, p) -> template(v, p, place);
  }

  /** Checks the templates of a value, recording the steps they refer to. */
  private void template(String text, String path, StepPlace place) {
    if (!Template.hasTemplate(text)) {
      return;
    }
    try {
      Template.parse(text);
      references.collect(path, text, place);
    } catch (InvalidExpressionException e) {
      fields.error(path, "invalid template: " + e.getMessage());
    }
  }
}
