package dev.wf.protocol.expr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.cel.common.values.NullValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to CEL values and back. JSON numbers without a fraction are CEL {@code int}, others {@code
 * double}; {@code null} is CEL's null.
 */
public final class CelValues {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private CelValues() {}

  public static Object fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return NullValue.NULL_VALUE;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      if (node.canConvertToLong()) {
        return Long.valueOf(node.longValue()); // not a ternary: it would widen to double
      }
      return Double.valueOf(node.doubleValue());
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(e -> list.add(fromJson(e)));
      return list;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), fromJson(e.getValue())));
      return map;
    }
    return node.asText();
  }

  /** A CEL result as JSON; values without a JSON form (types, durations) become their text. */
  public static JsonNode toJson(Object value) {
    return toJson(value, Long.MAX_VALUE);
  }

  /** A value larger than a conversion allows. */
  public static final class TooLarge extends RuntimeException {
    TooLarge(long max) {
      super("the value is larger than " + max + " characters and elements");
    }
  }

  /**
   * The value as JSON, refusing one whose strings and elements add up to more than {@code max}.
   *
   * @throws TooLarge as soon as the count passes {@code max}, before the rest is converted
   */
  public static JsonNode toJson(Object value, long max) {
    long[] left = {max};
    return toJson(value, left, max);
  }

  private static JsonNode toJson(Object value, long[] left, long max) {
    left[0] -= value instanceof String s ? s.length() + 1 : 1;
    if (left[0] < 0) {
      throw new TooLarge(max);
    }
    if (value == null || value instanceof NullValue) {
      return NODES.nullNode();
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Long || value instanceof Integer) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Number n) { // double, and CEL's uint
      return NODES.numberNode(n.doubleValue());
    }
    if (value instanceof String s) {
      return NODES.textNode(s);
    }
    if (value instanceof ByteString bytes) {
      return NODES.binaryNode(bytes.toByteArray());
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode obj = NODES.objectNode();
      map.forEach((k, v) -> obj.set(String.valueOf(k), toJson(v, left, max)));
      return obj;
    }
    if (value instanceof Collection<?> list) {
      ArrayNode arr = NODES.arrayNode();
      list.forEach(v -> arr.add(toJson(v, left, max)));
      return arr;
    }
    return NODES.textNode(String.valueOf(value));
  }
}
