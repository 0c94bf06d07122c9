package dev.wf.protocol.expr;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The steps an expression reads: {@code steps['Name']}, {@code steps["Name"]} or {@code
 * steps.Name}. {@code wholeMap} is true when it also uses {@code steps} in another way (a macro
 * over the map, say), so that all ended steps must be offered to it.
 */
public record StepReferences(Set<String> names, boolean wholeMap) {
  private static final Pattern QUOTED =
      Pattern.compile("(?<![\\w.])steps\\s*\\[\\s*(['\"])((?:\\\\.|(?!\\1).)*)\\1\\s*\\]");
  private static final Pattern DOTTED =
      Pattern.compile("(?<![\\w.])steps\\s*\\.\\s*([A-Za-z_][A-Za-z0-9_]*)");
  private static final Pattern ANY = Pattern.compile("(?<![\\w.])steps\\b");

  public StepReferences {
    names = Set.copyOf(names);
  }

  public static StepReferences of(String source) {
    Set<String> names = new LinkedHashSet<>();
    int named = 0;
    Matcher q = QUOTED.matcher(source);
    while (q.find()) {
      names.add(q.group(2).replaceAll("\\\\(.)", "$1"));
      named++;
    }
    Matcher d = DOTTED.matcher(source);
    while (d.find()) {
      names.add(d.group(1));
      named++;
    }
    int uses = 0;
    Matcher any = ANY.matcher(source);
    while (any.find()) {
      uses++;
    }
    return new StepReferences(names, uses > named);
  }
}
