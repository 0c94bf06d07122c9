package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Builds a run's {@link WorkflowResult} from its stored state. */
public final class Results {
  private Results() {}

  /**
   * The result so far: the steps that ended in the order they ended, then (when {@code
   * withRunning}) the steps in flight as {@code running} or {@code waiting}.
   */
  /**
   * The most a run's result may weigh as JSON: it travels whole in its {@code workflow:complete}
   * event and on the results topic, and a record the topic refuses would stop the coordinator.
   */
  public static final int MAX_RESULT_BYTES = 4 * 1024 * 1024;

  /** A step result larger than this is the first to go when a run's result is too large. */
  static final int KEPT_STEP_RESULT_BYTES = 1024;

  /**
   * {@code r} as it is when it fits {@code maxBytes}; else with the larger step results replaced by
   * a note of their size (each step's own {@code step:complete} event still has it), and if that is
   * not enough, with the steps' attempts left out too. Statuses, errors and names always stay.
   */
  public static WorkflowResult fitted(WorkflowResult r, int maxBytes) {
    if (Json.write(r).length <= maxBytes) {
      return r;
    }
    WorkflowResult lighter = withSteps(r, false);
    return Json.write(lighter).length <= maxBytes ? lighter : withSteps(r, true);
  }

  private static WorkflowResult withSteps(WorkflowResult r, boolean dropAttempts) {
    List<StepResult> steps =
        r.steps().stream()
            .map(
                s -> {
                  JsonNode result = s.result();
                  int size = result == null ? 0 : Json.write(result).length;
                  if (size > KEPT_STEP_RESULT_BYTES) {
                    result =
                        TextNode.valueOf(
                            "omitted: "
                                + size
                                + " bytes, too many for the run's result (see the step's"
                                + " step:complete event)");
                  }
                  return new StepResult(
                      s.name(),
                      s.path(),
                      s.status(),
                      s.duration(),
                      result,
                      s.error(),
                      s.retries(),
                      s.agent(),
                      dropAttempts ? List.of() : s.attempts(),
                      s.waitingFor(),
                      s.reused());
                })
            .toList();
    return new WorkflowResult(
        r.runId(), r.name(), r.success(), r.status(), r.duration(), steps, r.errors(), r.rerunOf());
  }

  public static WorkflowResult of(Plan plan, RunStore store, long now, boolean withRunning) {
    RunInfo run = store.run();
    List<StepState> ended = new ArrayList<>();
    List<StepState> running = new ArrayList<>();
    store.forEachStep(
        s -> {
          if (s.ended()) {
            ended.add(s);
          } else {
            running.add(s);
          }
        });
    ended.sort(Comparator.comparingLong(StepState::endSeq));
    List<StepResult> steps = new ArrayList<>();
    List<ErrorEntry> errors = new ArrayList<>();
    for (StepState s : ended) {
      String name = name(plan, s);
      steps.add(result(name, s, s.status, s.endedAt));
      if (s.status.isFailure() && s.errorOrigin) {
        errors.add(new ErrorEntry(s.path, name, s.error));
      }
    }
    if (withRunning) {
      running.sort(
          Comparator.comparingLong((StepState s) -> s.startedAt).thenComparing(StepState::path));
      for (StepState s : running) {
        StepStatus shown =
            s.phase == Phase.WAITING || s.phase == Phase.QUEUED
                ? StepStatus.WAITING
                : StepStatus.RUNNING;
        steps.add(result(name(plan, s), s, shown, now));
      }
    }
    RunStatus status = run.status;
    StepState root = store.step(plan.root().path());
    boolean success = status == RunStatus.SUCCESS;
    long end = run.ended() ? run.endedAt : now;
    if (status == RunStatus.RUNNING) {
      success = root == null || !root.ended() || !root.status.isFailure();
    }
    return new WorkflowResult(
        run.runId,
        run.name,
        success,
        status,
        Math.max(0, end - run.startedAt),
        steps,
        errors,
        run.rerunOf);
  }

  private static StepResult result(String name, StepState s, StepStatus status, long end) {
    return new StepResult(
        name,
        s.path,
        status,
        Math.max(0, end - s.startedAt),
        s.result,
        s.error,
        s.retries,
        s.agent,
        s.attempts,
        status == StepStatus.WAITING ? s.waitingFor : null,
        s.reused ? Boolean.TRUE : null);
  }

  /** The result of a step that ended, as listed. */
  static StepResult ended(Plan plan, StepState s) {
    return result(name(plan, s), s, s.status, s.endedAt);
  }

  private static String name(Plan plan, StepState s) {
    return plan.node(s.path).map(Plan.Node::name).orElse(s.path);
  }
}
