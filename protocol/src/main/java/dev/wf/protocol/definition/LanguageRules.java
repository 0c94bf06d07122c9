package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.InvalidExpressionException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of the fields DESIGN.md section 8 adds: {@code forEach} and {@code maxParallel} on
 * groups, {@code concurrency} on any step, {@code nonRetryable} and {@code deadline} on leaves, the
 * {@code approval} kind, and where {@code item} and {@code index} may be used.
 */
final class LanguageRules {
  private static final Set<String> CONCURRENCY_FIELDS = Set.of("key", "onBusy");
  private static final Set<String> NON_RETRYABLE_FIELDS = Set.of("exitCodes", "statuses");
  private static final Pattern QUOTED =
      Pattern.compile("'(?:\\\\.|[^'\\\\])*'|\"(?:\\\\.|[^\"\\\\])*\"");
  private static final Pattern ITEM = Pattern.compile("(?<![\\w.])(item|index)\\b");

  private final WorkflowValidator v;

  /** How many forEach groups enclose the step being read. */
  private int forEachDepth;

  LanguageRules(WorkflowValidator v) {
    this.v = v;
  }

  int forEachDepth() {
    return forEachDepth;
  }

  void enterBody() {
    forEachDepth++;
  }

  void leaveBody() {
    forEachDepth--;
  }

  /** A group's {@code forEach}: a CEL expression that should give a list. */
  Optional<String> forEach(JsonNode node, String path, WorkflowValidator.StepPlace place) {
    JsonNode f = node.get("forEach");
    if (f == null || f.isNull()) {
      return Optional.empty();
    }
    String fPath = WorkflowValidator.at(path, "forEach");
    if (!f.isTextual()) {
      v.error(
          fPath,
          "must be a CEL expression giving a list (a string), found "
              + WorkflowValidator.describe(f));
      return Optional.empty();
    }
    try {
      Expression e = Expression.compile(f.textValue());
      String type = e.resultTypeName();
      if (!type.startsWith("list") && !type.equals("dyn") && !type.equals("any")) {
        v.error(fPath, "must give a list, but `" + f.textValue() + "` is of type " + type);
      }
      v.expressionUses(fPath, f.textValue(), place, true);
      itemScope(fPath, f.textValue());
    } catch (InvalidExpressionException e) {
      v.error(fPath, "is not a valid CEL expression: " + e.getMessage());
      return Optional.empty();
    }
    return Optional.of(f.textValue());
  }

  /** {@code maxParallel}: a positive whole number, on a parallel group with forEach. */
  int maxParallel(JsonNode node, String path, GroupType type, boolean forEach) {
    JsonNode m = node.get("maxParallel");
    if (m == null || m.isNull()) {
      return 0;
    }
    String mPath = WorkflowValidator.at(path, "maxParallel");
    if (!m.isIntegralNumber() || !m.canConvertToInt() || m.intValue() < 1) {
      v.error(
          mPath, "must be a whole number of at least 1, found " + WorkflowValidator.describe(m));
      return 0;
    }
    if (!forEach) {
      v.error(mPath, "applies to groups with forEach only (it caps how many items run at once)");
    } else if (type == GroupType.SEQUENTIAL) {
      v.warning(mPath, "has no effect on a sequential group: its items run one at a time");
    }
    return m.intValue();
  }

  /** {@code concurrency: { key, onBusy }} on any step. */
  Optional<Concurrency> concurrency(JsonNode node, String path, WorkflowValidator.StepPlace place) {
    JsonNode c = node.get("concurrency");
    if (c == null || c.isNull()) {
      return Optional.empty();
    }
    String cPath = WorkflowValidator.at(path, "concurrency");
    if (!c.isObject()) {
      v.error(
          cPath,
          "must be a mapping like { key: deploy-prod, onBusy: queue }, found "
              + WorkflowValidator.describe(c));
      return Optional.empty();
    }
    v.unknownFields(c, cPath, CONCURRENCY_FIELDS);
    JsonNode k = c.get("key");
    String kPath = WorkflowValidator.at(cPath, "key");
    String key = null;
    if (k == null || !k.isTextual() || k.textValue().isBlank()) {
      v.error(
          kPath,
          k == null
              ? "is required (the name of what only one may hold)"
              : "must be a non-empty string, found " + WorkflowValidator.describe(k));
    } else {
      key = k.textValue();
      v.template(key, kPath, place);
    }
    Concurrency.OnBusy onBusy = Concurrency.OnBusy.QUEUE;
    JsonNode b = c.get("onBusy");
    if (b != null && !b.isNull()) {
      Concurrency.OnBusy parsed = b.isTextual() ? Concurrency.OnBusy.of(b.textValue()) : null;
      if (parsed == null) {
        List<String> words = List.of("queue", "cancel-running", "fail");
        v.error(
            WorkflowValidator.at(cPath, "onBusy"),
            "must be queue, cancel-running or fail, found "
                + WorkflowValidator.describe(b)
                + (b.isTextual() ? Suggestions.didYouMean(b.textValue(), words) : ""));
      } else {
        onBusy = parsed;
      }
    }
    return key == null ? Optional.empty() : Optional.of(new Concurrency(key, onBusy));
  }

  /** {@code nonRetryable: { exitCodes: [...], statuses: [...] }} on a leaf. */
  NonRetryable nonRetryable(JsonNode node, String path) {
    JsonNode n = node.get("nonRetryable");
    if (n == null || n.isNull()) {
      return NonRetryable.NONE;
    }
    String nPath = WorkflowValidator.at(path, "nonRetryable");
    if (!n.isObject()) {
      v.error(
          nPath,
          "must be a mapping like { exitCodes: [2], statuses: [404] }, found "
              + WorkflowValidator.describe(n));
      return NonRetryable.NONE;
    }
    v.unknownFields(n, nPath, NON_RETRYABLE_FIELDS);
    Set<Integer> codes = codes(n, WorkflowValidator.at(nPath, "exitCodes"), "exitCodes", 0, 255);
    Set<Integer> statuses = codes(n, WorkflowValidator.at(nPath, "statuses"), "statuses", 100, 599);
    return new NonRetryable(codes, statuses);
  }

  private Set<Integer> codes(JsonNode n, String path, String field, int min, int max) {
    Set<Integer> out = new LinkedHashSet<>();
    JsonNode list = n.get(field);
    if (list == null || list.isNull()) {
      return out;
    }
    if (!list.isArray()) {
      v.error(
          path,
          "must be a list of whole numbers from "
              + min
              + " to "
              + max
              + ", found "
              + WorkflowValidator.describe(list));
      return out;
    }
    for (int i = 0; i < list.size(); i++) {
      JsonNode c = list.get(i);
      if (!c.isIntegralNumber()
          || !c.canConvertToInt()
          || c.intValue() < min
          || c.intValue() > max) {
        v.error(
            path + "[" + i + "]",
            "must be a whole number from "
                + min
                + " to "
                + max
                + ", found "
                + WorkflowValidator.describe(c));
      } else {
        out.add(c.intValue());
      }
    }
    return out;
  }

  /** {@code action: { kind: approval, message }}: runs on no agent, waits for a decision. */
  Action approval(JsonNode a, String path, WorkflowValidator.StepPlace place) {
    v.unknownFields(a, path, Set.of("kind", "message"));
    JsonNode m = a.get("message");
    String mPath = WorkflowValidator.at(path, "message");
    if (m == null || !m.isTextual() || m.textValue().isBlank()) {
      v.error(
          mPath,
          m == null
              ? "is required (what the approver is asked)"
              : "must be a non-empty string, found " + WorkflowValidator.describe(m));
      return null;
    }
    v.template(m.textValue(), mPath, place);
    return new Action.Approval(m.textValue());
  }

  /** {@code item} and {@code index} mean something only inside a forEach group. */
  void itemScope(String path, String expression) {
    if (forEachDepth > 0) {
      return;
    }
    var m = ITEM.matcher(QUOTED.matcher(expression).replaceAll("''"));
    if (m.find()) {
      v.error(
          path,
          "uses `" + m.group(1) + "`, which is defined only in the steps of a group with forEach");
    }
  }
}
