package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Fields.at;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.InvalidExpressionException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Readers of the fields every step may have, groups and leaves alike. */
final class StepFields {
  /** What a step says about itself besides its name and its action or steps. */
  record Settings(
      Optional<String> condition,
      OnError onError,
      int retries,
      RetryPolicy retryPolicy,
      String pool) {
    /** False when a field was wrong (its problem is reported). */
    boolean valid() {
      return onError != null && retryPolicy != null;
    }
  }

  private static final Pattern POOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final int MAX_RETRIES = 1000;

  private final Fields fields;
  private final ReferenceCheck references;

  StepFields(Fields fields, ReferenceCheck references) {
    this.fields = fields;
    this.references = references;
  }

  String name(JsonNode node, String path) {
    JsonNode n = node.hasNonNull("name") ? node.get("name") : null;
    String name = fields.text(n, at(path, "name"), "must be a non-empty string", false);
    if (name != null && name.length() > 200) {
      fields.error(at(path, "name"), "is longer than 200 characters");
      return null;
    }
    return name;
  }

  Settings settings(JsonNode node, String path, StepPlace place, String inheritedPool) {
    Optional<String> condition = condition(node, path, place);
    OnError onError =
        fields.word(
            node,
            path,
            "onError",
            OnError.values(),
            OnError::word,
            OnError.FAIL,
            "fail, continue or retry");
    int retries = retries(node, path);
    RetryPolicy retryPolicy = backoff(node, path);
    String pool = pool(node, path, inheritedPool);
    return new Settings(condition, onError, retries, retryPolicy, pool);
  }

  GroupType groupType(JsonNode node, String path) {
    return fields.word(
        node,
        path,
        "type",
        GroupType.values(),
        GroupType::word,
        GroupType.SEQUENTIAL,
        "sequential or parallel");
  }

  private Optional<String> condition(JsonNode node, String path, StepPlace place) {
    JsonNode c = node.get("condition");
    if (c == null || c.isNull()) {
      return Optional.empty();
    }
    String cPath = at(path, "condition");
    if (c.isBoolean()) {
      return Optional.of(Boolean.toString(c.booleanValue()));
    }
    if (!fields.expect(c.isTextual(), cPath, "must be a CEL expression (a string)", c)) {
      return Optional.empty();
    }
    try {
      Expression e = Expression.compile(c.textValue());
      if (!e.mayBeBool()) {
        fields.error(
            cPath,
            "must be a bool expression, but `"
                + c.textValue()
                + "` is of type "
                + e.resultTypeName());
      }
      references.collect(cPath, c.textValue(), place);
    } catch (InvalidExpressionException e) {
      fields.error(cPath, "is not a valid CEL expression: " + e.getMessage());
    }
    return Optional.of(c.textValue());
  }

  private int retries(JsonNode node, String path) {
    JsonNode r = node.get("retries");
    if (r == null || r.isNull()) {
      return 0;
    }
    String rPath = at(path, "retries");
    String expected = "must be a whole number from 0 to " + MAX_RETRIES;
    if (!fields.expect(r.isIntegralNumber() && r.canConvertToInt(), rPath, expected, r)) {
      return 0;
    }
    int n = r.intValue();
    if (n < 0 || n > MAX_RETRIES) {
      fields.error(rPath, "must be from 0 to " + MAX_RETRIES + ", found " + n);
      return 0;
    }
    return n;
  }

  private RetryPolicy backoff(JsonNode node, String path) {
    JsonNode b = node.get("backoff");
    if (b == null || b.isNull()) {
      return RetryPolicy.DEFAULT;
    }
    String bPath = at(path, "backoff");
    String like = "must be a mapping like { initial: 1s, multiplier: 2, max: 30s, jitter: 0 }";
    if (!fields.expect(b.isObject(), bPath, like, b)) {
      return null;
    }
    fields.unknownFields(b, bPath, Set.of("initial", "multiplier", "max", "jitter"));
    RetryPolicy d = RetryPolicy.DEFAULT;
    Duration initial = fields.duration(b, bPath, "initial", d.initial(), true);
    Duration max = fields.duration(b, bPath, "max", d.max(), true);
    Double multiplier = fields.number(b, bPath, "multiplier", d.multiplier(), 1.0, 1000.0);
    Double jitter = fields.number(b, bPath, "jitter", d.jitter(), 0.0, 1.0);
    if (initial == null || max == null || multiplier == null || jitter == null) {
      return null;
    }
    if (max.compareTo(initial) < 0) {
      fields.error(
          at(bPath, "max"), "must not be less than initial (" + Durations.format(initial) + ")");
      return null;
    }
    return new RetryPolicy(initial, multiplier, max, jitter);
  }

  private String pool(JsonNode node, String path, String inherited) {
    JsonNode a = node.get("agent");
    if (a == null || a.isNull()) {
      return inherited;
    }
    String aPath = at(path, "agent");
    if (!fields.expect(a.isObject(), aPath, "must be a mapping like { pool: build }", a)) {
      return inherited;
    }
    fields.unknownFields(a, aPath, Set.of("pool"));
    JsonNode p = a.get("pool");
    if (p == null) {
      fields.error(at(aPath, "pool"), "is required");
      return inherited;
    }
    boolean ok = p.isTextual() && POOL.matcher(p.textValue()).matches();
    String expected = "must be a pool name of letters, digits, '.', '_' or '-' (up to 100)";
    return fields.expect(ok, at(aPath, "pool"), expected, p) ? p.textValue() : inherited;
  }
}
