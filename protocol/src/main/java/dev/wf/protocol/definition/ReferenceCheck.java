package dev.wf.protocol.definition;

import dev.wf.protocol.expr.StepReferences;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code steps.X} references of conditions and templates. They are collected while the tree is
 * read and checked once every step name is known, since a reference may name a later step.
 */
final class ReferenceCheck {
  private record Reference(String path, String name, StepPlace from) {}

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
  }

  /** Reports each reference to a step that does not exist or may not have ended in time. */
  void check() {
    for (Reference r : references) {
      StepPlace target = places.get(r.name());
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
