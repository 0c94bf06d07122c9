package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed readers of definition nodes. A reader that meets a wrong value reports it at its path, with
 * a did-you-mean where one fits, and returns null (or a default) so that the caller goes on and
 * every problem of a definition is reported at once.
 */
final class Fields {
  /** Sees each string value a reader accepts, at its path (the validator checks templates). */
  interface ValueCheck {
    void check(String value, String path);
  }

  static final ValueCheck NO_CHECK = (value, path) -> {};

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Consumer<Problem> sink;

  Fields(Consumer<Problem> sink) {
    this.sink = sink;
  }

  /** Readers that stop at the first error, throwing it as an {@link IllegalArgumentException}. */
  static Fields throwing() {
    return new Fields(
        p -> {
          if (p.isError()) {
            throw new IllegalArgumentException(p.toString());
          }
        });
  }

  void error(String path, String message) {
    sink.accept(Problem.error(path, message));
  }

  void warning(String path, String message) {
    sink.accept(Problem.warning(path, message));
  }

  /** Reports {@code "EXPECTED, found X"} at {@code path} unless {@code ok}; returns {@code ok}. */
  boolean expect(boolean ok, String path, String expected, JsonNode found) {
    if (!ok) {
      error(path, expected + ", found " + describe(found));
    }
    return ok;
  }

  /** Reports each field of {@code node} that is not {@code allowed}, listing those that are. */
  void unknownFields(JsonNode node, String path, Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (!allowed.contains(field)) {
        error(
            at(path, field),
            "unknown field"
                + Suggestions.didYouMean(field, allowed)
                + "; expected one of "
                + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
  }

  /**
   * The string {@code n}: null, reported as missing, or as not {@code expected} when it is not a
   * string or is blank without {@code blankAllowed}.
   */
  String text(JsonNode n, String path, String expected, boolean blankAllowed) {
    if (n == null) {
      error(path, "is required");
      return null;
    }
    boolean ok = n.isTextual() && (blankAllowed || !n.textValue().isBlank());
    return expect(ok, path, expected, n) ? n.textValue() : null;
  }

  /**
   * The enum constant written as a word in {@code field}: {@code dflt} when absent, null (and an
   * error with a did-you-mean) when it is not one of them.
   */
  <E> E word(
      JsonNode node,
      String path,
      String field,
      E[] values,
      Function<E, String> wordOf,
      E dflt,
      String expected) {
    JsonNode w = node.get(field);
    if (w == null || w.isNull()) {
      return dflt;
    }
    if (!expect(w.isTextual(), at(path, field), "must be " + expected, w)) {
      return null;
    }
    List<String> words = new ArrayList<>();
    for (E e : values) {
      if (wordOf.apply(e).equals(w.textValue())) {
        return e;
      }
      words.add(wordOf.apply(e));
    }
    error(
        at(path, field),
        "must be "
            + expected
            + ", found \""
            + w.textValue()
            + "\""
            + Suggestions.didYouMean(w.textValue(), words));
    return null;
  }

  /** Milliseconds or a string like {@code 10s}, at most 30 days: {@code dflt} when absent. */
  Duration duration(JsonNode node, String path, String field, Duration dflt, boolean zeroAllowed) {
    JsonNode d = node.get(field);
    if (d == null || d.isNull()) {
      return dflt;
    }
    String dPath = at(path, field);
    Optional<Duration> parsed = Optional.empty();
    if (d.isIntegralNumber() && d.canConvertToLong()) {
      parsed = d.longValue() < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(d.longValue()));
    } else if (d.isTextual()) {
      parsed = Durations.parse(d.textValue());
    }
    if (parsed.isEmpty()) {
      error(
          dPath,
          (d.isTextual() ? "\"" + d.textValue() + "\"" : describe(d))
              + " is not a duration (use milliseconds, or a string like 500ms, 10s, 5m, 1h)");
      return null;
    }
    if (!zeroAllowed && parsed.get().isZero()) {
      error(dPath, "must be more than 0");
      return null;
    }
    if (parsed.get().compareTo(Duration.ofDays(30)) > 0) {
      error(dPath, "must be at most 30 days");
      return null;
    }
    return parsed.get();
  }

  Double number(JsonNode node, String path, String field, double dflt, double min, double max) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    boolean ok = n.isNumber() && !(n.doubleValue() < min || n.doubleValue() > max);
    String expected = "must be a number from " + fmt(min) + " to " + fmt(max);
    return expect(ok, at(path, field), expected, n) ? n.doubleValue() : null;
  }

  String scalar(JsonNode n, String path) {
    boolean ok = n != null && !n.isNull() && !n.isContainerNode();
    return expect(ok, path, "must be a string, number or boolean", n) ? n.asText() : null;
  }

  /** A list of scalars, empty when absent; the well-formed ones when some are not. */
  List<String> strings(JsonNode n, String path, ValueCheck each) {
    List<String> out = new ArrayList<>();
    if (n == null || n.isNull() || !expect(n.isArray(), path, "must be a list of strings", n)) {
      return out;
    }
    for (int i = 0; i < n.size(); i++) {
      String iPath = path + "[" + i + "]";
      String v = scalar(n.get(i), iPath);
      if (v != null) {
        each.check(v, iPath);
        out.add(v);
      }
    }
    return out;
  }

  /**
   * A mapping of names to scalars, empty when absent, null when it is not a mapping; with {@code
   * envNames}, each name must be an environment variable's.
   */
  Map<String, String> stringMap(JsonNode n, String path, boolean envNames, ValueCheck each) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!expect(n.isObject(), path, "must be a mapping of names to strings", n)) {
      return null;
    }
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      String ePath = path + "." + e.getKey();
      if (envNames && !ENV_NAME.matcher(e.getKey()).matches()) {
        error(ePath, "\"" + e.getKey() + "\" is not a valid environment variable name");
        continue;
      }
      String v = scalar(e.getValue(), ePath);
      if (v != null) {
        each.check(v, ePath);
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  Optional<String> optionalString(JsonNode n, String path, ValueCheck each) {
    if (n == null || n.isNull() || !expect(n.isTextual(), path, "must be a string", n)) {
      return Optional.empty();
    }
    each.check(n.textValue(), path);
    return Optional.of(n.textValue());
  }

  /**
   * One HTTP status code or a list of them, empty when absent; the valid ones when some are not.
   */
  List<Integer> statusCodes(JsonNode n, String path) {
    List<Integer> out = new ArrayList<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (n.isArray()) {
      for (int i = 0; i < n.size(); i++) {
        statusCode(n.get(i), path + "[" + i + "]", out);
      }
    } else {
      statusCode(n, path, out);
    }
    return out;
  }

  private void statusCode(JsonNode n, String path, List<Integer> out) {
    boolean ok = n.isIntegralNumber() && n.intValue() >= 100 && n.intValue() <= 599;
    if (expect(ok, path, "must be an HTTP status code from 100 to 599", n)) {
      out.add(n.intValue());
    }
  }

  static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  /** How a wrong value is shown in a message: its type, and a string's (shortened) text. */
  static String describe(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "nothing";
    }
    if (n.isTextual()) {
      return "the string \""
          + (n.textValue().length() > 60 ? n.textValue().substring(0, 60) + "..." : n.textValue())
          + "\"";
    }
    if (n.isBoolean()) {
      return "the boolean " + n.booleanValue();
    }
    if (n.isNumber()) {
      return "the number " + n.numberValue();
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isObject()) {
      return "a mapping";
    }
    return n.getNodeType().toString().toLowerCase(Locale.ROOT);
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
