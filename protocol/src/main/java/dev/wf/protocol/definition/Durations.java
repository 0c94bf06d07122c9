package dev.wf.protocol.definition;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as definitions write them: a number of milliseconds, or a string such as {@code 500ms},
 * {@code 10s}, {@code 1.5s}, {@code 5m}, {@code 1h} or {@code 1h30m}.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d))+");

  private Durations() {}

  /** Parses {@code text}; empty when it is not a duration. */
  public static Optional<Duration> parse(String text) {
    String s = text.trim();
    if (s.matches("\\d+")) {
      return parseMillis(s);
    }
    if (!WHOLE.matcher(s).matches()) {
      return Optional.empty();
    }
    Matcher m = PART.matcher(s);
    double millis = 0;
    while (m.find()) {
      double n = Double.parseDouble(m.group(1));
      millis +=
          switch (m.group(2)) {
            case "ms" -> n;
            case "s" -> n * 1_000;
            case "m" -> n * 60_000;
            case "h" -> n * 3_600_000;
            default -> n * 86_400_000;
          };
    }
    return millis > Long.MAX_VALUE / 2
        ? Optional.empty()
        : Optional.of(Duration.ofMillis((long) millis));
  }

  private static Optional<Duration> parseMillis(String digits) {
    try {
      return Optional.of(Duration.ofMillis(Long.parseLong(digits)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * The shortest way to write {@code d} in a definition ({@code 1500ms}, {@code 10s}, {@code 5m}).
   */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 3_600_000 == 0 && ms > 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0 && ms > 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0 && ms > 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
