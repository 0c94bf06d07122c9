package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Fields.at;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The rules of the step tree: what a group and a leaf may hold, names, size and depth. */
final class StepRules {
  private static final List<String> COMMON =
      List.of(
          "name",
          "type",
          "condition",
          "onError",
          "retries",
          "backoff",
          "timeout",
          "agent",
          "concurrency");

  /** The fields a step may have, by what it turns out to be. */
  private enum Shape {
    // failFast is allowed on a leaf so that leaf() can say why it does not belong there.
    LEAF("a leaf step", "action", "startTimeout", "failFast", "nonRetryable", "deadline"),
    GROUP("a group", "steps", "failFast", "forEach", "maxParallel"),
    EITHER(
        "a step",
        "steps",
        "failFast",
        "forEach",
        "maxParallel",
        "action",
        "startTimeout",
        "nonRetryable",
        "deadline");

    final String noun;
    final Set<String> fields;

    Shape(String noun, String... own) {
      this.noun = noun;
      List<String> all = new ArrayList<>(COMMON);
      all.addAll(List.of(own));
      this.fields = Set.copyOf(all);
    }
  }

  private final Fields fields;
  private final StepFields stepFields;
  private final ActionRules actions;
  private final ReferenceCheck references;
  private final LanguageRules language;
  private final WorkflowValidator.Limits limits;
  private Duration runTimeout;
  private int stepCount;
  private boolean tooMany;

  StepRules(Fields fields, ReferenceCheck references, WorkflowValidator.Limits limits) {
    this.fields = fields;
    this.stepFields = new StepFields(fields, references);
    this.actions = new ActionRules(fields, references);
    this.references = references;
    this.language = new LanguageRules(fields, references);
    this.limits = limits;
  }

  /** The root group's {@code timeout}: the whole run's. */
  Optional<Duration> runTimeout() {
    return Optional.ofNullable(runTimeout);
  }

  /** The workflow's root step; null when anything in the tree is wrong. */
  Step root(JsonNode tree) {
    return step(tree, true, 0, Leaf.DEFAULT_POOL, StepPlace.ROOT);
  }

  private Step step(JsonNode node, boolean root, int depth, String inheritedPool, StepPlace place) {
    String path = place.path();
    String like = "a step must be a mapping with a name and either action or steps";
    if (!fields.expect(node.isObject(), path, like, node)) {
      return null;
    }
    stepCount++;
    if (stepCount > limits.maxSteps() && !tooMany) {
      tooMany = true;
      fields.error(path, "the workflow has more than " + limits.maxSteps() + " steps, the limit");
    }
    if (depth > limits.maxDepth()) {
      fields.error(path, "steps are nested " + depth + " deep; the limit is " + limits.maxDepth());
      return null;
    }
    boolean hasSteps = node.has("steps");
    boolean hasAction = node.has("action");
    unknownFields(
        node,
        path,
        hasSteps == hasAction ? Shape.EITHER : hasSteps ? Shape.GROUP : Shape.LEAF,
        root);

    String name = stepFields.name(node, path);
    if (name != null) {
      declare(name, place);
    }
    StepFields.Settings settings = stepFields.settings(node, path, place, inheritedPool);
    Optional<Concurrency> concurrency = language.concurrency(node, path, actions.templates(place));

    if (hasSteps && hasAction) {
      fields.error(path, "a step has exactly one of action (a leaf) or steps (a group), not both");
      return null;
    }
    if (!hasSteps && !hasAction) {
      fields.error(path, "a step needs either action (a leaf) or steps (a group)");
      return null;
    }
    return hasSteps
        ? group(node, depth, name, settings, place, concurrency)
        : leaf(node, name, settings, place, concurrency);
  }

  private Group group(
      JsonNode node,
      int depth,
      String name,
      StepFields.Settings settings,
      StepPlace place,
      Optional<Concurrency> concurrency) {
    String path = place.path();
    GroupType type = stepFields.groupType(node, path);
    if (node.has("retries") && settings.onError() != OnError.RETRY) {
      fields.warning(at(path, "retries"), "has no effect on a group unless onError is retry");
    }
    if (node.has("timeout") && depth == 0) {
      runTimeout = fields.duration(node, path, "timeout", null, false); // the whole run's
    } else if (node.has("timeout")) {
      fields.warning(
          at(path, "timeout"),
          "applies to leaves, and on the root group to the whole run; it is ignored here");
    }
    Optional<String> forEach = language.forEach(node, path, place);
    int maxParallel = language.maxParallel(node, path, type, forEach.isPresent());
    boolean failFast = true;
    JsonNode ff = node.get("failFast");
    if (ff != null
        && fields.expect(ff.isBoolean(), at(path, "failFast"), "must be true or false", ff)) {
      failFast = ff.booleanValue();
      if (type == GroupType.SEQUENTIAL) {
        fields.warning(
            at(path, "failFast"),
            "applies to parallel groups only; a sequential group always stops at a failure");
      }
    }
    JsonNode stepsNode = node.get("steps");
    String stepsPath = at(path, "steps");
    if (!fields.expect(stepsNode.isArray(), stepsPath, "must be a list of steps", stepsNode)) {
      return null;
    }
    if (stepsNode.isEmpty()) {
      fields.error(stepsPath, "a group needs at least one step");
      return null;
    }
    GroupType childrenOf = type == null ? GroupType.SEQUENTIAL : type;
    List<Step> children = new ArrayList<>();
    boolean complete = true;
    for (int i = 0; i < stepsNode.size(); i++) {
      // an invalid forEach still makes a body: its steps are named per item all the same
      boolean body = node.hasNonNull("forEach");
      StepPlace at = place.child(stepsPath + "[" + i + "]", i, childrenOf, body);
      Step child = step(stepsNode.get(i), false, depth + 1, settings.pool(), at);
      complete &= child != null;
      children.add(child);
    }
    if (!complete || name == null || type == null || !settings.valid()) {
      return null;
    }
    OnError onError = settings.onError();
    int retries = node.has("retries") ? settings.retries() : (onError == OnError.RETRY ? 1 : 0);
    return new Group(
        name,
        type,
        children,
        settings.condition(),
        onError,
        retries,
        settings.retryPolicy(),
        failFast,
        forEach,
        maxParallel,
        concurrency);
  }

  private Leaf leaf(
      JsonNode node,
      String name,
      StepFields.Settings settings,
      StepPlace place,
      Optional<Concurrency> concurrency) {
    String path = place.path();
    JsonNode type = node.get("type");
    if (type != null) {
      boolean ok = type.isTextual() && Set.of("sequential", "parallel").contains(type.textValue());
      String expected = "must be sequential or parallel (and is ignored on a leaf)";
      fields.expect(ok, at(path, "type"), expected, type);
    }
    if (node.has("failFast")) {
      fields.error(at(path, "failFast"), "applies to parallel groups only");
    }
    if (settings.onError() == OnError.RETRY && settings.retries() == 0) {
      fields.warning(
          at(path, "onError"),
          "retry on a leaf retries only as many times as retries says, and retries is 0");
    }
    Duration timeout = fields.duration(node, path, "timeout", Leaf.DEFAULT_TIMEOUT, false);
    Duration startTimeout = fields.duration(node, path, "startTimeout", null, false);
    boolean badStart = node.hasNonNull("startTimeout") && startTimeout == null;
    Duration deadline = fields.duration(node, path, "deadline", null, false);
    boolean badDeadline = node.hasNonNull("deadline") && deadline == null;
    NonRetryable nonRetryable = language.nonRetryable(node, path);
    Action action = actions.action(node.get("action"), at(path, "action"), place);
    if (action instanceof Action.Approval && settings.retries() > 0) {
      fields.warning(
          at(path, "retries"), "has no effect on an approval: a decision is not retried");
    }
    if (name == null
        || !settings.valid()
        || timeout == null
        || badStart
        || badDeadline
        || action == null) {
      return null;
    }
    return new Leaf(
        name,
        action,
        settings.pool(),
        settings.condition(),
        settings.onError(),
        settings.retries(),
        settings.retryPolicy(),
        timeout,
        Optional.ofNullable(startTimeout),
        nonRetryable,
        Optional.ofNullable(deadline),
        concurrency);
  }

  private void declare(String name, StepPlace place) {
    Optional<StepPlace> first = references.declare(name, place);
    if (first.isPresent()) {
      String where = first.get().path().isEmpty() ? "the root" : first.get().path();
      fields.error(
          at(place.path(), "name"),
          "duplicate step name \""
              + name
              + "\" (first used at "
              + where
              + "); step names must be unique in the workflow");
    }
  }

  private void unknownFields(JsonNode node, String path, Shape shape, boolean root) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (shape.fields.contains(field) || (root && field.equals("inputs"))) {
        continue;
      }
      if (!root && field.equals("inputs")) {
        fields.error(
            at(path, field), "inputs can only be declared on the workflow itself (the root step)");
        continue;
      }
      Set<String> known = shape.fields;
      if (root) {
        List<String> withInputs = new ArrayList<>(known);
        withInputs.add("inputs");
        known = Set.copyOf(withInputs);
      }
      fields.error(
          at(path, field),
          "unknown field for " + shape.noun + Suggestions.didYouMean(field, known));
    }
  }
}
