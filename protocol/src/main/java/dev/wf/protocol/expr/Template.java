package dev.wf.protocol.expr;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A string that may hold {@code ${{ expression }}} parts. Each part becomes the value's JSON text
 * ({@code 3}, not {@code 3.0}; objects and lists as JSON), except that strings are inserted as they
 * are, without quotes. The result is always one plain string: it is never read as shell syntax.
 */
public final class Template {
  private static final String OPEN = "${{";
  private static final String CLOSE = "}}";

  private final String source;
  private final List<Object> parts; // String literals and Expressions

  private Template(String source, List<Object> parts) {
    this.source = source;
    this.parts = parts;
  }

  /** True when {@code text} contains a template opening. */
  public static boolean hasTemplate(String text) {
    return text.contains(OPEN);
  }

  /**
   * Parses and compiles every expression of {@code text}.
   *
   * @throws InvalidExpressionException naming the first part that does not compile or close
   */
  public static Template parse(String text) {
    List<Object> parts = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = text.indexOf(OPEN, at);
      if (open < 0) {
        if (at < text.length()) {
          parts.add(text.substring(at));
        }
        break;
      }
      if (open > at) {
        parts.add(text.substring(at, open));
      }
      int close = text.indexOf(CLOSE, open + OPEN.length());
      if (close < 0) {
        throw new InvalidExpressionException(
            "`${{` at character " + (open + 1) + " is not closed by `}}`");
      }
      String expr = text.substring(open + OPEN.length(), close).trim();
      try {
        parts.add(Expression.compile(expr));
      } catch (InvalidExpressionException e) {
        throw new InvalidExpressionException("in `${{ " + expr + " }}`: " + e.getMessage());
      }
      at = close + CLOSE.length();
    }
    return new Template(text, List.copyOf(parts));
  }

  /**
   * The longest text a template renders to: a value multiplied across thousands of steps'
   * dispatches stays within what a dispatch record can carry.
   */
  public static final int MAX_RENDERED = 256 * 1024;

  public String source() {
    return source;
  }

  /** The compiled expressions of this template, in order. */
  public List<Expression> expressions() {
    return parts.stream().filter(Expression.class::isInstance).map(Expression.class::cast).toList();
  }

  /**
   * Renders the template.
   *
   * @throws EvaluationException when an expression fails
   */
  public String render(Map<String, ?> vars) {
    if (parts.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof Expression e) {
        JsonNode value = e.evaluateToJson(vars, MAX_RENDERED);
        out.append(jsonText(value));
      } else {
        out.append((String) part);
      }
      if (out.length() > MAX_RENDERED) {
        throw new EvaluationException(
            source, "the rendered text is longer than " + MAX_RENDERED + " characters");
      }
    }
    return out.toString();
  }

  private static String jsonText(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isDouble()
        && value.doubleValue() == Math.rint(value.doubleValue())
        && !Double.isInfinite(value.doubleValue())
        && Math.abs(value.doubleValue()) < 1e15) {
      return Long.toString((long) value.doubleValue());
    }
    return value.toString();
  }
}
