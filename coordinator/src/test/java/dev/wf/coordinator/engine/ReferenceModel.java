package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules of DESIGN.md (sections 1, 2, 6 and 7, and the seed's orchestrator) written down a
 * second time, as a plain recursive interpreter, so that the machine is checked against something
 * other than itself. It reads the workflow definition a user submits (JSON) and a script of what
 * each leaf's tries do, and says how the run must end: the run's status, every step listed in the
 * result with its status, retries, tries and result, and the errors.
 *
 * <p>Time is sequential: the children of a parallel group run one after another, in their order,
 * each to its end. The machine sees the same order when its agents are played by {@link
 * ScriptedRun}, which always plays the step that comes first in the tree. Under that order the
 * contract decides everything below, except in two places the model refuses or leaves open:
 *
 * <ul>
 *   <li>A failure without any agent under a parallel group (a condition or template that cannot be
 *       evaluated), and a condition or template in a parallel group that reads a sibling. The
 *       machine starts parallel siblings at once, so such a failure may come before the tries of
 *       the siblings the model runs first, and which siblings were started when a fail-fast cancel
 *       came is not in the contract; a sibling read there has ended or not by the same accident.
 *       Such workflows are refused.
 *   <li>A group whose own condition cannot be evaluated under {@code onError: retry}: whether that
 *       runs the group again (failing the same way) is not in the contract, so its retries are left
 *       open ({@code null}).
 * </ul>
 *
 * A leaf's script lists its tries in order across the whole run (a group that runs again consumes
 * the next ones); past its end every try succeeds. A successful try's result is {@link #result}.
 */
final class ReferenceModel {

  /** What one try of a leaf does on its agent. */
  enum Try {
    SUCCEED,
    FAIL,
    TIME_OUT
  }

  /**
   * One step as the result must list it. {@code retries} and {@code attempts} are null when not
   * decided by the contract; {@code attempts} holds the statuses of a leaf's tries, or one {@code
   * failed} per earlier run of a group.
   */
  record Step(
      String name,
      String path,
      boolean leaf,
      StepStatus status,
      Integer retries,
      List<AttemptStatus> attempts,
      JsonNode result,
      boolean errorOrigin) {}

  /**
   * The end of a run: its status, the steps listed by path, and the paths {@code errors} lists (the
   * failures that began there).
   */
  record Expected(
      RunStatus status, boolean success, Map<String, Step> steps, List<String> errors) {}

  private static final Pattern STEP_STATUS =
      Pattern.compile("steps\\['([^']+)'\\]\\.status (==|!=) '(\\w+)'");
  private static final Pattern INPUT_IS = Pattern.compile("inputs\\['([^']+)'\\] == (true|false)");
  private static final Pattern STEP_REF = Pattern.compile("steps\\['([^']+)'\\]");

  private enum Verdict {
    RUN,
    SKIP,
    CANNOT_EVALUATE
  }

  private final Map<String, Deque<Try>> scripts = new HashMap<>();
  private final Map<String, Integer> triesSoFar = new HashMap<>();
  private final Map<String, JsonNode> inputs;

  /** What the result lists so far, by path; a group that runs again forgets its children's. */
  private final Map<String, Step> listed = new LinkedHashMap<>();

  /** The statuses of the steps that ended, by name, as conditions see them. */
  private final Map<String, StepStatus> ended = new HashMap<>();

  private ReferenceModel(Map<String, List<Try>> scripts, Map<String, JsonNode> inputs) {
    scripts.forEach((name, tries) -> this.scripts.put(name, new ArrayDeque<>(tries)));
    this.inputs = inputs;
  }

  /** How a run of {@code definition} must end when its leaves behave as {@code scripts} say. */
  static Expected expect(JsonNode definition, Map<String, List<Try>> scripts) {
    Map<String, JsonNode> inputs = new HashMap<>();
    JsonNode defaults = definition.path("inputs");
    defaults.fieldNames().forEachRemaining(k -> inputs.put(k, defaults.get(k)));
    ReferenceModel model = new ReferenceModel(scripts, inputs);
    String root = definition.get("name").asText();
    StepStatus rootStatus = model.step(definition, root, false, false, false);
    // Section 7: the run succeeds unless its root failed, forgiven by the root's own continue.
    boolean failed = rootStatus.isFailure() && onError(definition) != OnErr.CONTINUE;
    RunStatus status = failed ? RunStatus.FAILED : RunStatus.SUCCESS;
    List<String> errors = new ArrayList<>();
    model.listed.values().stream()
        .filter(s -> s.errorOrigin() && s.status().isFailure())
        .forEach(s -> errors.add(s.path()));
    return new Expected(
        status, !failed, Collections.unmodifiableMap(model.listed), List.copyOf(errors));
  }

  /** The result a leaf's agent reports for its {@code n}th try (counted over the whole run). */
  static JsonNode result(String leaf, int n) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    return o.put("step", leaf).put("try", n);
  }

  // ---- the interpreter ----------------------------------------------------------------------

  private enum OnErr {
    FAIL,
    CONTINUE,
    RETRY
  }

  private static OnErr onError(JsonNode step) {
    return OnErr.valueOf(step.path("onError").asText("fail").toUpperCase(Locale.ROOT));
  }

  /** A failed or timed-out step fails its parent unless it says continue. */
  private static boolean failsParent(JsonNode step, StepStatus status) {
    return status.isFailure() && onError(step) != OnErr.CONTINUE;
  }

  /**
   * Runs {@code def} at {@code path} to its end and returns its status. {@code cancelled}: the step
   * starts inside a branch a fail-fast group cancels at once (its siblings have not been played
   * yet), so every leaf that would be dispatched is cancelled instead, while skips still happen.
   */
  private StepStatus step(
      JsonNode def, String path, boolean inParallel, boolean underParallel, boolean cancelled) {
    String name = def.get("name").asText();
    boolean leaf = def.has("action");
    Verdict verdict = condition(def, inParallel, underParallel);
    if (verdict == Verdict.SKIP) {
      return end(leaf, name, path, StepStatus.SKIPPED, 0, List.of(), null, false);
    }
    if (verdict == Verdict.CANNOT_EVALUATE) {
      // Section 6 item 6: the step fails with the evaluation error; onError applies.
      Integer retries = !leaf && onError(def) == OnErr.RETRY ? null : 0;
      return end(
          leaf,
          name,
          path,
          StepStatus.FAILED,
          retries,
          retries == null ? null : List.of(),
          null,
          true);
    }
    if (leaf) {
      if (templateCannotEvaluate(def, inParallel, underParallel)) {
        return end(true, name, path, StepStatus.FAILED, 0, List.of(), null, true);
      }
      if (cancelled) {
        return end(true, name, path, StepStatus.CANCELLED, 0, List.of(), null, false);
      }
      return leaf(def, name, path);
    }
    boolean parallel = "parallel".equals(def.get("type").asText());
    // Section 7: retries on a group count only under onError: retry, and default to 1 there.
    int runs = onError(def) == OnErr.RETRY ? 1 + def.path("retries").asInt(1) : 1;
    List<AttemptStatus> earlier = new ArrayList<>();
    while (true) {
      forgetChildrenOf(path);
      StepStatus status =
          parallel
              ? parallel(def, path, underParallel, cancelled)
              : sequential(def, path, underParallel, cancelled);
      if (status == StepStatus.FAILED && earlier.size() + 1 < runs && !cancelled) {
        earlier.add(AttemptStatus.FAILED);
        continue;
      }
      return end(false, name, path, status, earlier.size(), earlier, null, false);
    }
  }

  /** Children one after another; the first that fails its parent stops the group. */
  private StepStatus sequential(
      JsonNode def, String path, boolean underParallel, boolean cancelled) {
    JsonNode children = def.get("steps");
    for (int i = 0; i < children.size(); i++) {
      JsonNode child = children.get(i);
      StepStatus s = step(child, path + ".sequential[" + i + "]", false, underParallel, cancelled);
      if (s == StepStatus.CANCELLED) {
        return StepStatus.CANCELLED;
      }
      if (failsParent(child, s)) {
        return StepStatus.FAILED;
      }
    }
    return StepStatus.SUCCESS;
  }

  /**
   * Every child runs; once one fails the group under failFast (the default), the siblings after it,
   * started but not yet played, are cancelled (section 6 item 4). The group ends failed when a
   * child failed it, else cancelled when a child was cancelled, else successful.
   */
  private StepStatus parallel(JsonNode def, String path, boolean underParallel, boolean cancelled) {
    boolean failFast = def.path("failFast").asBoolean(true);
    JsonNode children = def.get("steps");
    boolean failing = false;
    boolean anyCancelled = false;
    for (int i = 0; i < children.size(); i++) {
      JsonNode child = children.get(i);
      StepStatus s =
          step(child, path + ".parallel[" + i + "]", true, true, cancelled || failFast && failing);
      failing |= failsParent(child, s);
      anyCancelled |= s == StepStatus.CANCELLED;
    }
    if (failing) {
      return StepStatus.FAILED;
    }
    return anyCancelled ? StepStatus.CANCELLED : StepStatus.SUCCESS;
  }

  /** Tries on the agent, up to 1 + retries, until one succeeds (section 7, leaf column). */
  private StepStatus leaf(JsonNode def, String name, String path) {
    int maxTries = 1 + def.path("retries").asInt(0);
    List<AttemptStatus> tries = new ArrayList<>();
    for (int t = 1; t <= maxTries; t++) {
      Try next = scripts.getOrDefault(name, new ArrayDeque<>()).poll();
      int n = triesSoFar.merge(name, 1, Integer::sum);
      if (next == null || next == Try.SUCCEED) {
        tries.add(AttemptStatus.SUCCESS);
        return end(true, name, path, StepStatus.SUCCESS, t - 1, tries, result(name, n), false);
      }
      tries.add(next == Try.FAIL ? AttemptStatus.FAILED : AttemptStatus.TIMEOUT);
    }
    // Section 6 item 1: timeout when the last try timed out.
    StepStatus status =
        tries.get(tries.size() - 1) == AttemptStatus.TIMEOUT
            ? StepStatus.TIMEOUT
            : StepStatus.FAILED;
    return end(true, name, path, status, maxTries - 1, tries, null, true);
  }

  private StepStatus end(
      boolean leaf,
      String name,
      String path,
      StepStatus status,
      Integer retries,
      List<AttemptStatus> attempts,
      JsonNode result,
      boolean errorOrigin) {
    listed.put(
        path,
        new Step(
            name,
            path,
            leaf,
            status,
            retries,
            attempts == null ? null : List.copyOf(attempts),
            result,
            errorOrigin));
    ended.put(name, status);
    return status;
  }

  /** Section 7: {@code steps} keeps only the final outcome of each path. */
  private void forgetChildrenOf(String path) {
    listed
        .values()
        .removeIf(
            s -> {
              boolean child = s.path().startsWith(path + ".");
              if (child) {
                ended.remove(s.name());
              }
              return child;
            });
  }

  // ---- expressions: the few forms the generated workflows use -------------------------------

  private Verdict condition(JsonNode def, boolean inParallel, boolean underParallel) {
    if (!def.has("condition")) {
      return Verdict.RUN;
    }
    String cel = def.get("condition").asText();
    Verdict v = evaluate(cel, inParallel);
    if (v == Verdict.CANNOT_EVALUATE && underParallel) {
      throw undecided("a condition that cannot be evaluated under a parallel group: " + cel);
    }
    return v;
  }

  private Verdict evaluate(String cel, boolean inParallel) {
    if (cel.equals("true")) {
      return Verdict.RUN;
    }
    if (cel.equals("false")) {
      return Verdict.SKIP;
    }
    Matcher m = STEP_STATUS.matcher(cel);
    if (m.matches()) {
      if (inParallel) {
        throw undecided("a condition in a parallel group that reads a sibling: " + cel);
      }
      StepStatus s = ended.get(m.group(1));
      if (s == null) {
        return Verdict.CANNOT_EVALUATE;
      }
      boolean equal = s.word().equals(m.group(3));
      return equal == m.group(2).equals("==") ? Verdict.RUN : Verdict.SKIP;
    }
    m = INPUT_IS.matcher(cel);
    if (m.matches()) {
      JsonNode value = inputs.get(m.group(1));
      if (value == null) {
        return Verdict.CANNOT_EVALUATE;
      }
      if (!value.isBoolean()) {
        throw new IllegalArgumentException("the model compares only booleans: " + cel);
      }
      return value.asBoolean() == Boolean.parseBoolean(m.group(2)) ? Verdict.RUN : Verdict.SKIP;
    }
    throw new IllegalArgumentException("the model does not read the condition " + cel);
  }

  /** A template fails its step when it reads a step that has not ended (section 7). */
  private boolean templateCannotEvaluate(JsonNode def, boolean inParallel, boolean underParallel) {
    String text = def.get("action").toString();
    if (!text.contains("${{")) {
      return false;
    }
    if (inParallel) {
      throw undecided("a template in a parallel group that reads a sibling: " + text);
    }
    Matcher m = STEP_REF.matcher(text);
    while (m.find()) {
      if (!ended.containsKey(m.group(1))) {
        if (underParallel) {
          throw undecided("a template that cannot be evaluated under a parallel group: " + text);
        }
        return true;
      }
    }
    return false;
  }

  private static IllegalArgumentException undecided(String what) {
    return new IllegalArgumentException("the contract does not decide the outcome of " + what);
  }
}
