package dev.wf.protocol.definition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.expr.Expression;
import dev.wf.protocol.expr.InvalidExpressionException;
import dev.wf.protocol.expr.StepReferences;
import dev.wf.protocol.expr.Template;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks a definition tree against every rule of DESIGN.md sections 1 and 7 and builds the {@link
 * Workflow}. All problems are reported at once, each with its path.
 */
public final class WorkflowValidator {
  /** Bounds on what one definition may hold. */
  public record Limits(int maxSteps, int maxDepth) {
    public static final Limits DEFAULT = new Limits(20_000, 32);
  }

  /** The outcome: the workflow when there is no error, and every problem found. */
  public record Validation(Optional<Workflow> workflow, List<Problem> problems) {
    public Validation {
      problems = List.copyOf(problems);
    }

    public boolean valid() {
      return workflow.isPresent();
    }

    public List<Problem> errors() {
      return problems.stream().filter(Problem::isError).toList();
    }

    public List<Problem> warnings() {
      return problems.stream().filter(p -> !p.isError()).toList();
    }
  }

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
  private static final Set<String> GROUP_FIELDS =
      with(COMMON, "steps", "failFast", "forEach", "maxParallel");
  // failFast is checked on a leaf by leaf(), with a clearer message than "unknown field".
  private static final Set<String> LEAF_FIELDS =
      with(COMMON, "action", "startTimeout", "failFast", "nonRetryable", "deadline");
  private static final Set<String> ANY_STEP_FIELDS =
      with(
          COMMON,
          "steps",
          "failFast",
          "forEach",
          "maxParallel",
          "action",
          "startTimeout",
          "nonRetryable",
          "deadline");
  private static final Set<String> KINDS = Set.of("shell", "http", "noop", "sleep", "approval");
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
  private static final Pattern POOL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_.-]{0,63}");
  private static final int MAX_RETRIES = 1000;

  private final Limits limits;
  private final List<Problem> problems = new ArrayList<>();
  private final Map<String, StepPlace> places = new HashMap<>();
  private final Map<String, Integer> forEachDepths = new HashMap<>();
  private final LanguageRules rules = new LanguageRules(this);
  private Duration runTimeout;
  private final List<Reference> references = new ArrayList<>();
  private int stepCount;
  private boolean tooMany;

  /** Where a step sits: its validation path, child indices from the root, its ancestors' types. */
  record StepPlace(String path, List<Integer> index, List<GroupType> ancestorTypes) {}

  private record Reference(String path, String name, StepPlace from, boolean isCondition) {}

  private WorkflowValidator(Limits limits) {
    this.limits = limits;
  }

  public static Validation validate(JsonNode tree) {
    return validate(tree, Limits.DEFAULT);
  }

  public static Validation validate(JsonNode tree, Limits limits) {
    return new WorkflowValidator(limits).run(tree);
  }

  private Validation run(JsonNode tree) {
    if (tree == null || !tree.isObject()) {
      problems.add(
          Problem.error(
              "",
              "a workflow must be a mapping with name, type and steps, found " + describe(tree)));
      return new Validation(Optional.empty(), problems);
    }
    Map<String, JsonNode> inputs = inputs(tree);
    Step root = step(tree, "", true, 0, Leaf.DEFAULT_POOL, List.of(), List.of());
    checkReferences();
    boolean errors = problems.stream().anyMatch(Problem::isError);
    Optional<Workflow> workflow =
        errors || root == null
            ? Optional.empty()
            : Optional.of(new Workflow(root, inputs, Optional.ofNullable(runTimeout)));
    return new Validation(workflow, problems);
  }

  private Map<String, JsonNode> inputs(JsonNode tree) {
    JsonNode node = tree.get("inputs");
    Map<String, JsonNode> inputs = new LinkedHashMap<>();
    if (node == null || node.isNull()) {
      return inputs;
    }
    if (!node.isObject()) {
      error(
          "inputs", "must be a mapping of input names to default values, found " + describe(node));
      return inputs;
    }
    node.properties().forEach(e -> inputs.put(e.getKey(), e.getValue()));
    return inputs;
  }

  // ---- steps ---------------------------------------------------------------------------------

  private Step step(
      JsonNode node,
      String path,
      boolean root,
      int depth,
      String inheritedPool,
      List<Integer> index,
      List<GroupType> ancestorTypes) {
    if (!node.isObject()) {
      error(
          path,
          "a step must be a mapping with a name and either action or steps, found "
              + describe(node));
      return null;
    }
    stepCount++;
    if (stepCount > limits.maxSteps() && !tooMany) {
      tooMany = true;
      error(path, "the workflow has more than " + limits.maxSteps() + " steps, the limit");
    }
    if (depth > limits.maxDepth()) {
      error(path, "steps are nested " + depth + " deep; the limit is " + limits.maxDepth());
      return null;
    }
    boolean hasSteps = node.has("steps");
    boolean hasAction = node.has("action");
    Set<String> allowed =
        hasSteps == hasAction ? ANY_STEP_FIELDS : hasSteps ? GROUP_FIELDS : LEAF_FIELDS;
    unknownFields(node, path, allowed, root);

    String name = name(node, path);
    StepPlace place = new StepPlace(path, index, ancestorTypes);
    if (name != null) {
      forEachDepths.putIfAbsent(name, rules.forEachDepth());
      StepPlace first = places.putIfAbsent(name, place);
      if (first != null) {
        error(
            at(path, "name"),
            "duplicate step name \""
                + name
                + "\" (first used at "
                + shown(first.path())
                + "); step names must be unique in the workflow");
      }
    }
    Optional<String> condition = condition(node, path, place);
    OnError onError = onError(node, path);
    int retries = retries(node, path);
    RetryPolicy retryPolicy = backoff(node, path);
    String pool = pool(node, path, inheritedPool);
    Optional<Concurrency> concurrency = rules.concurrency(node, path, place);

    if (hasSteps && hasAction) {
      error(path, "a step has exactly one of action (a leaf) or steps (a group), not both");
      return null;
    }
    if (!hasSteps && !hasAction) {
      error(path, "a step needs either action (a leaf) or steps (a group)");
      return null;
    }
    if (hasSteps) {
      return group(
          node,
          path,
          depth,
          name,
          condition,
          onError,
          retries,
          retryPolicy,
          pool,
          place,
          concurrency);
    }
    return leaf(
        node, path, name, condition, onError, retries, retryPolicy, pool, place, concurrency);
  }

  private Group group(
      JsonNode node,
      String path,
      int depth,
      String name,
      Optional<String> condition,
      OnError onError,
      int retries,
      RetryPolicy retryPolicy,
      String pool,
      StepPlace place,
      Optional<Concurrency> concurrency) {
    List<Integer> index = place.index();
    List<GroupType> ancestorTypes = place.ancestorTypes();
    GroupType type = groupType(node, path);
    if (node.has("retries") && onError != OnError.RETRY) {
      warning(at(path, "retries"), "has no effect on a group unless onError is retry");
    }
    if (node.has("timeout") && depth == 0) {
      runTimeout = duration(node, path, "timeout", null, false); // the whole run's
    } else if (node.has("timeout")) {
      warning(
          at(path, "timeout"),
          "applies to leaves, and on the root group to the whole run; it is ignored here");
    }
    Optional<String> forEach = rules.forEach(node, path, place);
    int maxParallel = rules.maxParallel(node, path, type, forEach.isPresent());
    boolean failFast = true;
    JsonNode ff = node.get("failFast");
    if (ff != null) {
      if (!ff.isBoolean()) {
        error(at(path, "failFast"), "must be true or false, found " + describe(ff));
      } else {
        failFast = ff.booleanValue();
        if (type == GroupType.SEQUENTIAL) {
          warning(
              at(path, "failFast"),
              "applies to parallel groups only; a sequential group always stops at a failure");
        }
      }
    }
    JsonNode stepsNode = node.get("steps");
    String stepsPath = at(path, "steps");
    if (!stepsNode.isArray()) {
      error(stepsPath, "must be a list of steps, found " + describe(stepsNode));
      return null;
    }
    if (stepsNode.isEmpty()) {
      error(stepsPath, "a group needs at least one step");
      return null;
    }
    List<GroupType> childTypes = new ArrayList<>(ancestorTypes);
    childTypes.add(type == null ? GroupType.SEQUENTIAL : type);
    List<Step> children = new ArrayList<>();
    boolean complete = true;
    if (forEach.isPresent()) {
      rules.enterBody();
    }
    for (int i = 0; i < stepsNode.size(); i++) {
      List<Integer> childIndex = new ArrayList<>(index);
      childIndex.add(i);
      Step child =
          step(
              stepsNode.get(i),
              stepsPath + "[" + i + "]",
              false,
              depth + 1,
              pool,
              List.copyOf(childIndex),
              List.copyOf(childTypes));
      complete &= child != null;
      children.add(child);
    }
    if (forEach.isPresent()) {
      rules.leaveBody();
    }
    if (!complete || name == null || type == null || onError == null || retryPolicy == null) {
      return null;
    }
    int groupRetries = node.has("retries") ? retries : (onError == OnError.RETRY ? 1 : 0);
    return new Group(
        name,
        type,
        children,
        condition,
        onError,
        groupRetries,
        retryPolicy,
        failFast,
        forEach,
        maxParallel,
        concurrency);
  }

  private Leaf leaf(
      JsonNode node,
      String path,
      String name,
      Optional<String> condition,
      OnError onError,
      int retries,
      RetryPolicy retryPolicy,
      String pool,
      StepPlace place,
      Optional<Concurrency> concurrency) {
    JsonNode type = node.get("type");
    if (type != null
        && !(type.isTextual() && Set.of("sequential", "parallel").contains(type.textValue()))) {
      error(
          at(path, "type"),
          "must be sequential or parallel (and is ignored on a leaf), found " + describe(type));
    }
    if (node.has("failFast")) {
      error(at(path, "failFast"), "applies to parallel groups only");
    }
    if (onError == OnError.RETRY && retries == 0) {
      warning(
          at(path, "onError"),
          "retry on a leaf retries only as many times as retries says, and retries is 0");
    }
    Duration timeout = duration(node, path, "timeout", Leaf.DEFAULT_TIMEOUT, false);
    Duration startTimeout = duration(node, path, "startTimeout", null, false);
    boolean badStart = node.hasNonNull("startTimeout") && startTimeout == null;
    Duration deadline = duration(node, path, "deadline", null, false);
    boolean badDeadline = node.hasNonNull("deadline") && deadline == null;
    NonRetryable nonRetryable = rules.nonRetryable(node, path);
    Action action = action(node.get("action"), at(path, "action"), place);
    if (action instanceof Action.Approval && retries > 0) {
      warning(at(path, "retries"), "has no effect on an approval: a decision is not retried");
    }
    if (name == null
        || badDeadline
        || onError == null
        || retryPolicy == null
        || timeout == null
        || badStart
        || action == null) {
      return null;
    }
    return new Leaf(
        name,
        action,
        pool,
        condition,
        onError,
        retries,
        retryPolicy,
        timeout,
        Optional.ofNullable(startTimeout),
        nonRetryable,
        Optional.ofNullable(deadline),
        concurrency);
  }

  private void unknownFields(JsonNode node, String path, Set<String> allowed, boolean root) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String field = names.next();
      if (allowed.contains(field) || (root && field.equals("inputs"))) {
        continue;
      }
      if (!root && field.equals("inputs")) {
        error(
            at(path, field), "inputs can only be declared on the workflow itself (the root step)");
        continue;
      }
      Set<String> known = root ? with(List.copyOf(allowed), "inputs") : allowed;
      String where =
          allowed == LEAF_FIELDS ? "a leaf step" : allowed == GROUP_FIELDS ? "a group" : "a step";
      error(at(path, field), "unknown field for " + where + Suggestions.didYouMean(field, known));
    }
  }

  private String name(JsonNode node, String path) {
    JsonNode n = node.get("name");
    if (n == null || n.isNull()) {
      error(path.isEmpty() ? "name" : at(path, "name"), "is required");
      return null;
    }
    if (!n.isTextual() || n.textValue().isBlank()) {
      error(at(path, "name"), "must be a non-empty string, found " + describe(n));
      return null;
    }
    if (n.textValue().length() > 200) {
      error(at(path, "name"), "is longer than 200 characters");
      return null;
    }
    return n.textValue();
  }

  private GroupType groupType(JsonNode node, String path) {
    return word(
        node,
        path,
        "type",
        GroupType.values(),
        GroupType::word,
        GroupType.SEQUENTIAL,
        "sequential or parallel");
  }

  /**
   * The enum constant written as a word in {@code field}: {@code dflt} when absent, null (and an
   * error with a did-you-mean) when it is not one of them.
   */
  private <E> E word(
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
    if (!w.isTextual()) {
      error(at(path, field), "must be " + expected + ", found " + describe(w));
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

  private Optional<String> condition(JsonNode node, String path, StepPlace place) {
    JsonNode c = node.get("condition");
    if (c == null || c.isNull()) {
      return Optional.empty();
    }
    String cPath = at(path, "condition");
    if (c.isBoolean()) {
      return Optional.of(Boolean.toString(c.booleanValue()));
    }
    if (!c.isTextual()) {
      error(cPath, "must be a CEL expression (a string), found " + describe(c));
      return Optional.empty();
    }
    try {
      Expression e = Expression.compile(c.textValue());
      if (!e.mayBeBool()) {
        error(
            cPath,
            "must be a bool expression, but `"
                + c.textValue()
                + "` is of type "
                + e.resultTypeName());
      }
      collectReferences(cPath, c.textValue(), place, true);
      rules.itemScope(cPath, c.textValue());
    } catch (InvalidExpressionException e) {
      error(cPath, "is not a valid CEL expression: " + e.getMessage());
    }
    return Optional.of(c.textValue());
  }

  private OnError onError(JsonNode node, String path) {
    return word(
        node,
        path,
        "onError",
        OnError.values(),
        OnError::word,
        OnError.FAIL,
        "fail, continue or retry");
  }

  private int retries(JsonNode node, String path) {
    JsonNode r = node.get("retries");
    if (r == null || r.isNull()) {
      return 0;
    }
    if (!r.isIntegralNumber() || !r.canConvertToInt()) {
      error(
          at(path, "retries"),
          "must be a whole number from 0 to " + MAX_RETRIES + ", found " + describe(r));
      return 0;
    }
    int n = r.intValue();
    if (n < 0 || n > MAX_RETRIES) {
      error(at(path, "retries"), "must be from 0 to " + MAX_RETRIES + ", found " + n);
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
    if (!b.isObject()) {
      error(
          bPath,
          "must be a mapping like { initial: 1s, multiplier: 2, max: 30s, jitter: 0 }, found "
              + describe(b));
      return null;
    }
    unknownFields(b, bPath, Set.of("initial", "multiplier", "max", "jitter"));
    RetryPolicy d = RetryPolicy.DEFAULT;
    Duration initial = duration(b, bPath, "initial", d.initial(), true);
    Duration max = duration(b, bPath, "max", d.max(), true);
    Double multiplier = number(b, bPath, "multiplier", d.multiplier(), 1.0, 1000.0);
    Double jitter = number(b, bPath, "jitter", d.jitter(), 0.0, 1.0);
    if (initial == null || max == null || multiplier == null || jitter == null) {
      return null;
    }
    if (max.compareTo(initial) < 0) {
      error(at(bPath, "max"), "must not be less than initial (" + Durations.format(initial) + ")");
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
    if (!a.isObject()) {
      error(aPath, "must be a mapping like { pool: build }, found " + describe(a));
      return inherited;
    }
    unknownFields(a, aPath, Set.of("pool"));
    JsonNode p = a.get("pool");
    if (p == null) {
      error(at(aPath, "pool"), "is required");
      return inherited;
    }
    if (!p.isTextual() || !POOL.matcher(p.textValue()).matches()) {
      error(
          at(aPath, "pool"),
          "must be a pool name of letters, digits, '.', '_' or '-' (up to 100), found "
              + describe(p));
      return inherited;
    }
    return p.textValue();
  }

  // ---- actions -------------------------------------------------------------------------------

  private Action action(JsonNode a, String path, StepPlace place) {
    if (!a.isObject()) {
      error(
          path,
          "must be a mapping with a kind, like { kind: shell, command: \"make\" }, found "
              + describe(a));
      return null;
    }
    JsonNode k = a.get("kind");
    if (k == null || !k.isTextual()) {
      error(
          at(path, "kind"),
          k == null
              ? "is required (shell, http, noop, sleep, approval or a plug-in kind)"
              : "must be a string, found " + describe(k));
      return null;
    }
    String kind = k.textValue();
    return switch (kind) {
      case "shell" -> shell(a, path, place);
      case "http" -> http(a, path, place);
      case "noop" -> noop(a, path);
      case "sleep" -> sleep(a, path);
      case "approval" -> rules.approval(a, path, place);
      default -> plugin(a, path, kind);
    };
  }

  private Action shell(JsonNode a, String path, StepPlace place) {
    unknownFields(a, path, Set.of("kind", "command", "args", "env", "workdir"));
    JsonNode c = a.get("command");
    String command = null;
    if (c == null || !c.isTextual() || c.textValue().isBlank()) {
      error(
          at(path, "command"),
          c == null ? "is required" : "must be a non-empty string, found " + describe(c));
    } else if (Template.hasTemplate(c.textValue())) {
      error(
          at(path, "command"),
          "must not contain ${{ }} templates: pass values through env or args (they reach the command as $NAME or $1, never as shell syntax)");
    } else {
      command = c.textValue();
    }
    List<String> args = new ArrayList<>();
    JsonNode argsNode = a.get("args");
    if (argsNode != null && !argsNode.isNull()) {
      if (!argsNode.isArray()) {
        error(at(path, "args"), "must be a list of strings, found " + describe(argsNode));
      } else {
        for (int i = 0; i < argsNode.size(); i++) {
          String v = scalar(argsNode.get(i), at(path, "args") + "[" + i + "]");
          if (v != null) {
            template(v, at(path, "args") + "[" + i + "]", place);
            args.add(v);
          }
        }
      }
    }
    Map<String, String> env = stringMap(a.get("env"), at(path, "env"), place, true);
    Optional<String> workdir = optionalString(a.get("workdir"), at(path, "workdir"), place);
    return command == null || env == null ? null : new Action.Shell(command, args, env, workdir);
  }

  private Action http(JsonNode a, String path, StepPlace place) {
    unknownFields(a, path, Set.of("kind", "method", "url", "headers", "body", "expectStatus"));
    String method = "GET";
    JsonNode m = a.get("method");
    if (m != null) {
      if (!m.isTextual() || !HTTP_METHODS.contains(m.textValue().toUpperCase(Locale.ROOT))) {
        error(
            at(path, "method"),
            "must be one of "
                + String.join(", ", HTTP_METHODS.stream().sorted().toList())
                + ", found "
                + describe(m));
      } else {
        method = m.textValue().toUpperCase(Locale.ROOT);
      }
    }
    JsonNode u = a.get("url");
    String url = null;
    if (u == null || !u.isTextual() || u.textValue().isBlank()) {
      error(at(path, "url"), u == null ? "is required" : "must be a string, found " + describe(u));
    } else {
      url = u.textValue();
      template(url, at(path, "url"), place);
      if (!Template.hasTemplate(url) && !url.matches("(?i)https?://.+")) {
        error(at(path, "url"), "must be an http:// or https:// URL, found \"" + url + "\"");
      }
    }
    Map<String, String> headers = stringMap(a.get("headers"), at(path, "headers"), place, false);
    Optional<String> body = Optional.empty();
    JsonNode b = a.get("body");
    if (b != null && !b.isNull()) {
      String text = b.isTextual() ? b.textValue() : b.toString();
      template(text, at(path, "body"), place);
      body = Optional.of(text);
    }
    List<Integer> expect = new ArrayList<>();
    JsonNode e = a.get("expectStatus");
    if (e != null && !e.isNull()) {
      String ePath = at(path, "expectStatus");
      if (e.isArray()) {
        for (int i = 0; i < e.size(); i++) {
          statusCode(e.get(i), ePath + "[" + i + "]", expect);
        }
      } else {
        statusCode(e, ePath, expect);
      }
    }
    return url == null || headers == null
        ? null
        : new Action.Http(method, url, headers, body, expect);
  }

  private void statusCode(JsonNode n, String path, List<Integer> out) {
    if (!n.isIntegralNumber() || n.intValue() < 100 || n.intValue() > 599) {
      error(path, "must be an HTTP status code from 100 to 599, found " + describe(n));
    } else {
      out.add(n.intValue());
    }
  }

  private Action noop(JsonNode a, String path) {
    unknownFields(a, path, Set.of("kind", "result"));
    return new Action.Noop(Optional.ofNullable(a.get("result")));
  }

  private Action sleep(JsonNode a, String path) {
    unknownFields(a, path, Set.of("kind", "duration"));
    if (!a.has("duration")) {
      error(at(path, "duration"), "is required (like 10s)");
      return null;
    }
    Duration d = duration(a, path, "duration", Duration.ZERO, true);
    return d == null ? null : new Action.Sleep(d);
  }

  private Action plugin(JsonNode a, String path, String kind) {
    Optional<String> close = Suggestions.closest(kind, KINDS);
    if (close.isPresent() && !close.get().equals(kind)) {
      error(
          at(path, "kind"),
          "unknown action kind \"" + kind + "\" (did you mean '" + close.get() + "'?)");
      return null;
    }
    if (!KIND.matcher(kind).matches()) {
      error(
          at(path, "kind"),
          "must be shell, http, noop, sleep or a plug-in kind of lowercase letters, digits, '.', '_' or '-', found \""
              + kind
              + "\"");
      return null;
    }
    warning(
        at(path, "kind"),
        "\""
            + kind
            + "\" is not a built-in kind; only agents with a plug-in for it can run this step");
    return new Action.Plugin(kind, a);
  }

  // ---- values --------------------------------------------------------------------------------

  private Duration duration(
      JsonNode node, String path, String field, Duration dflt, boolean zeroAllowed) {
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

  private Double number(
      JsonNode node, String path, String field, double dflt, double min, double max) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isNumber() || n.doubleValue() < min || n.doubleValue() > max) {
      error(
          at(path, field),
          "must be a number from " + fmt(min) + " to " + fmt(max) + ", found " + describe(n));
      return null;
    }
    return n.doubleValue();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private String scalar(JsonNode n, String path) {
    if (n == null || n.isNull() || n.isContainerNode()) {
      error(path, "must be a string, number or boolean, found " + describe(n));
      return null;
    }
    return n.asText();
  }

  private Map<String, String> stringMap(
      JsonNode n, String path, StepPlace place, boolean envNames) {
    Map<String, String> out = new LinkedHashMap<>();
    if (n == null || n.isNull()) {
      return out;
    }
    if (!n.isObject()) {
      error(path, "must be a mapping of names to strings, found " + describe(n));
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
        template(v, ePath, place);
        out.put(e.getKey(), v);
      }
    }
    return out;
  }

  private Optional<String> optionalString(JsonNode n, String path, StepPlace place) {
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      error(path, "must be a string, found " + describe(n));
      return Optional.empty();
    }
    template(n.textValue(), path, place);
    return Optional.of(n.textValue());
  }

  void template(String text, String path, StepPlace place) {
    if (!Template.hasTemplate(text)) {
      return;
    }
    try {
      Template.parse(text);
      collectReferences(path, text, place, false);
      rules.itemScope(path, text);
    } catch (InvalidExpressionException e) {
      error(path, "invalid template: " + e.getMessage());
    }
  }

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

  // ---- references between steps ---------------------------------------------------------------

  /** Notes the steps {@code expression} reads, to check once every step is known. */
  void expressionUses(String path, String expression, StepPlace from, boolean condition) {
    collectReferences(path, expression, from, condition);
  }

  private void collectReferences(
      String path, String expression, StepPlace from, boolean condition) {
    for (String name : StepReferences.of(expression).names()) {
      references.add(new Reference(path, name, from, condition));
    }
  }

  private void checkReferences() {
    for (Reference r : references) {
      StepPlace target = places.get(r.name());
      int perItem = forEachDepths.getOrDefault(r.name(), 0);
      if (target != null && perItem > 0) {
        error(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which runs once per item of a forEach group: name one item, as steps['"
                + r.name()
                + "[0]']"
                + (perItem > 1 ? " (one number per enclosing forEach)" : ""));
        continue;
      }
      if (target == null) {
        target = itemPlace(r.name());
        if (target != null) {
          continue; // Deploy[2]: an item of a forEach group's step
        }
      }
      if (target == null) {
        error(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which does not exist"
                + Suggestions.didYouMean(r.name(), places.keySet()));
      } else if (!endsBefore(target, r.from())) {
        warning(
            r.path(),
            "refers to step \""
                + r.name()
                + "\", which may not have ended when this is evaluated (only steps earlier in a sequential group are sure to have ended); evaluating it then fails the step");
      }
    }
  }

  /** The place of the forEach step an item name like {@code Deploy[2]} names, or null. */
  private StepPlace itemPlace(String name) {
    String base = name;
    int items = 0;
    while (base.endsWith("]")) {
      int open = base.lastIndexOf('[');
      if (open < 0 || !base.substring(open + 1, base.length() - 1).matches("\\d{1,9}")) {
        return null;
      }
      base = base.substring(0, open);
      items++;
    }
    return items > 0 && forEachDepths.getOrDefault(base, 0) == items ? places.get(base) : null;
  }

  /** True when {@code target} is sure to have ended before {@code from} starts. */
  private static boolean endsBefore(StepPlace target, StepPlace from) {
    List<Integer> a = target.index();
    List<Integer> b = from.index();
    int k = 0;
    while (k < a.size() && k < b.size() && a.get(k).equals(b.get(k))) {
      k++;
    }
    if (k == a.size() || k == b.size()) {
      return false; // one contains the other
    }
    return from.ancestorTypes().get(k) == GroupType.SEQUENTIAL && a.get(k) < b.get(k);
  }

  // ---- helpers -------------------------------------------------------------------------------

  void error(String path, String message) {
    problems.add(Problem.error(path, message));
  }

  void warning(String path, String message) {
    problems.add(Problem.warning(path, message));
  }

  static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String shown(String path) {
    return path.isEmpty() ? "the root" : path;
  }

  private static Set<String> with(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return Set.copyOf(all);
  }

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
}
