package dev.wf.coordinator.engine;

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
