package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Fields.at;
import static dev.wf.protocol.definition.Fields.describe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.InvalidExpressionException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of the fields DESIGN.md section 8 adds: {@code forEach} and {@code maxParallel} on
 * groups, {@code concurrency} on any step, {@code nonRetryable} on leaves, and the {@code approval}
 * kind.
 */
final class LanguageRules {
  private final Fields fields;
  private final ReferenceCheck references;

  LanguageRules(Fields fields, ReferenceCheck references) {
    this.fields = fields;
    this.references = references;
  }

  /** A group's {@code forEach}: a CEL expression that should give a list. */
  Optional<String> forEach(JsonNode node, String path, StepPlace place) {
    JsonNode f = node.get("forEach");
    String fPath = at(path, "forEach");
    String like = "must be a CEL expression giving a list (a string)";
    if (f == null || f.isNull() || !fields.expect(f.isTextual(), fPath, like, f)) {
      return Optional.empty();
    }
    try {
      String type = Expression.compile(f.textValue()).resultTypeName();
      if (!type.startsWith("list") && !type.equals("dyn") && !type.equals("any")) {
        fields.error(fPath, "must give a list, but `" + f.textValue() + "` is of type " + type);
      }
      references.collect(fPath, f.textValue(), place);
    } catch (InvalidExpressionException e) {
      fields.error(fPath, "is not a valid CEL expression: " + e.getMessage());
      return Optional.empty();
    }
    return Optional.of(f.textValue());
  }

  /** {@code maxParallel}: a positive whole number, on a parallel group with forEach. */
  int maxParallel(JsonNode node, String path, GroupType type, boolean forEach) {
    JsonNode m = node.get("maxParallel");
    String mPath = at(path, "maxParallel");
    boolean whole = m != null && m.isIntegralNumber() && m.canConvertToInt() && m.intValue() >= 1;
    if (m == null
        || m.isNull()
        || !fields.expect(whole, mPath, "must be a whole number of at least 1", m)) {
      return 0;
    }
    if (!forEach) {
      fields.error(
          mPath, "applies to groups with forEach only (it caps how many items run at once)");
    } else if (type == GroupType.SEQUENTIAL) {
      fields.warning(mPath, "has no effect on a sequential group: its items run one at a time");
    }
    return m.intValue();
  }

  /** {@code concurrency: { key, onBusy }} on any step. */
  Optional<Concurrency> concurrency(JsonNode node, String path, Fields.ValueCheck templates) {
    JsonNode c = node.get("concurrency");
    String cPath = at(path, "concurrency");
    String like = "must be a mapping like { key: deploy-prod, onBusy: queue }";
    if (c == null || c.isNull() || !fields.expect(c.isObject(), cPath, like, c)) {
      return Optional.empty();
    }
    fields.unknownFields(c, cPath, Set.of("key", "onBusy"));
    String kPath = at(cPath, "key");
    String key = null;
    if (!c.has("key")) {
      fields.error(kPath, "is required (the name of what only one may hold at a time)");
    } else {
      key = fields.text(c.get("key"), kPath, "must be a non-empty string", false);
      if (key != null) {
        templates.check(key, kPath);
      }
    }
    Concurrency.OnBusy onBusy = Concurrency.OnBusy.QUEUE;
    JsonNode b = c.get("onBusy");
    if (b != null && !b.isNull()) {
      onBusy = b.isTextual() ? Concurrency.OnBusy.of(b.textValue()) : null;
      if (onBusy == null) {
        List<String> words = List.of("queue", "cancel-running", "fail");
        fields.error(
            at(cPath, "onBusy"),
            "must be queue, cancel-running or fail, found "
                + describe(b)
                + (b.isTextual() ? Suggestions.didYouMean(b.textValue(), words) : ""));
      }
    }
    return key == null || onBusy == null
        ? Optional.empty()
        : Optional.of(new Concurrency(key, onBusy));
  }

  /** {@code nonRetryable: { exitCodes: [...], statuses: [...] }} on a leaf. */
  NonRetryable nonRetryable(JsonNode node, String path) {
    JsonNode n = node.get("nonRetryable");
    String nPath = at(path, "nonRetryable");
    String like = "must be a mapping like { exitCodes: [2], statuses: [404] }";
    if (n == null || n.isNull() || !fields.expect(n.isObject(), nPath, like, n)) {
      return NonRetryable.NONE;
    }
    fields.unknownFields(n, nPath, Set.of("exitCodes", "statuses"));
    return new NonRetryable(
        codes(n.get("exitCodes"), at(nPath, "exitCodes"), 0, 255),
        codes(n.get("statuses"), at(nPath, "statuses"), 100, 599));
  }

  private Set<Integer> codes(JsonNode list, String path, int min, int max) {
    Set<Integer> out = new LinkedHashSet<>();
    String each = "must be a whole number from " + min + " to " + max;
    if (list == null || list.isNull() || !fields.expect(list.isArray(), path, each + "s", list)) {
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      boolean ok =
          c.isIntegralNumber() && c.canConvertToInt() && c.intValue() >= min && c.intValue() <= max;
      if (fields.expect(ok, path + "[" + i + "]", each, c)) {
        out.add(c.intValue());
      }
    }
    return out;
  }

  /** {@code action: { kind: approval, message }}: runs on no agent, waits for a decision. */
  Action approval(JsonNode a, String path, Fields.ValueCheck templates) {
    fields.unknownFields(a, path, Set.of("kind", "message"));
    String mPath = at(path, "message");
    if (!a.has("message")) {
      fields.error(mPath, "is required (what the approver is asked)");
      return null;
    }
    String message = fields.text(a.get("message"), mPath, "must be a non-empty string", false);
    if (message == null) {
      return null;
    }
    templates.check(message, mPath);
    return new Action.Approval(message);
  }
}
