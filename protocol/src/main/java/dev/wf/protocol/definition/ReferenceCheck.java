package dev.wf.protocol.definition;

import dev.wf.protocol.expr.StepReferences;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code steps.X} references of conditions and templates. They are collected while the tree is
 * read and checked once every step name is known, since a reference may name a later step.
 */
final class ReferenceCheck {
  private record Reference(String path, String name, StepPlace from) {}

  private static final Pattern QUOTED =
      Pattern.compile("'(?:\\\\.|[^'\\\\])*'|\"(?:\\\\.|[^\"\\\\])*\"");
  private static final Pattern ITEM = Pattern.compile("(?<![\\w.])(item|index)\\b");
  private static final Pattern ITEM_NAME = Pattern.compile("(.+?)((?:\\[\\d{1,9}\\])+)");

  private final Fields fields;
  private final Map<String, StepPlace> places = new HashMap<>();
  private final List<Reference> references = new ArrayList<>();

  ReferenceCheck(Fields fields) {
    this.fields = fields;
  }

  /** Records the step {@code name} at {@code place}; where it was first used when it is taken. */
  Optional<StepPlace> declare(String name, StepPlace place) {
    return Optional.ofNullable(places.putIfAbsent(name, place));
  }

  /** Records the steps {@code expression}, found at {@code path}, refers to from {@code from}. */
  void collect(String path, String expression, StepPlace from) {
    for (String name : StepReferences.of(expression).names()) {
      references.add(new Reference(path, name, from));
    }
    if (from.forEachDepth() == 0) {
      Matcher m = ITEM.matcher(QUOTED.matcher(expression).replaceAll("''"));
      if (m.find()) {
        fields.error(
            path,
            "uses `"
                + m.group(1)
                + "`, which is defined only in the steps of a group with forEach");
      }
    }
  }

  /** True when {@code name} is like {@code Deploy[2]}: one item of a step under forEach groups. */
  private boolean itemOfForEach(String name) {
    Matcher m = ITEM_NAME.matcher(name);
    if (!m.matches()) {
      return false;
    }
    StepPlace base = places.get(m.group(1));
    long items = m.group(2).chars().filter(c -> c == '[').count();
    return base != null && base.forEachDepth() == items;
  }

  /** Reports each reference to a step that does not exist or may not have ended in time. */
  void check() {
    for (Reference r : references) {
      StepPlace target = places.get(r.name());
      if (target != null && target.forEachDepth() > 0) {
        fields.error(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which runs once per item of a forEach group: name one item, as steps['"
                + r.name()
                + "[0]']"
                + (target.forEachDepth() > 1 ? " (a number per enclosing forEach)" : ""));
        continue;
      }
      if (target == null && itemOfForEach(r.name())) {
        continue; // Deploy[2]: item 2 of the forEach step Deploy
      }
      if (target == null) {
        fields.error(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which does not exist"
                + Suggestions.didYouMean(r.name(), places.keySet()));
      } else if (!target.endsBefore(r.from())) {
        fields.warning(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which may not have ended when this is evaluated (only steps earlier in a sequential group are sure to have ended); evaluating it then fails the step");
      }
    }
  }
}
