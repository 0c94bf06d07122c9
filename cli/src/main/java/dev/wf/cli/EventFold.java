package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's state so far, rebuilt from its events (what any dashboard can do): the steps that ended
 * in the order they ended, then those in flight. Once the run has ended, its result is the one the
 * coordinator published.
 */
final class EventFold {
  private final String runId;
  private String name;
  private long startedAt = -1;
  private WorkflowResult finalResult;
  private final Map<String, StepResult> ended = new LinkedHashMap<>();
  private final Map<String, WorkflowEvent> inFlight = new LinkedHashMap<>();
  private final Map<String, Integer> retries = new LinkedHashMap<>();
  private final List<String> refusals = new ArrayList<>();
  private final Map<String, String> waiting = new LinkedHashMap<>();

  EventFold(String runId) {
    this.runId = runId;
  }

  boolean seen() {
    return startedAt >= 0 || finalResult != null || !refusals.isEmpty();
  }

  boolean ended() {
    return finalResult != null;
  }

  List<String> refusals() {
    return refusals;
  }

  void apply(WorkflowEvent e) {
    long at = e.at() == null ? System.currentTimeMillis() : Instant.parse(e.at()).toEpochMilli();
    switch (e.type()) {
      case WORKFLOW_START -> {
        name = e.step();
        startedAt = at;
      }
      case STEP_START -> {
        inFlight.put(e.path(), e);
        waiting.remove(e.path());
      }
      case STEP_QUEUED -> {
        inFlight.putIfAbsent(e.path(), e);
        waiting.put(e.path(), e.reason());
      }
      case STEP_APPROVAL -> waiting.put(e.path(), "approval: " + e.message());
      case SIGNAL_REFUSED -> refusals.add(e.type().wire() + " (" + e.step() + "): " + e.reason());
      case STEP_RETRY -> {
        retries.merge(e.path(), 1, Integer::sum);
        // a group that runs again drops what its children did the time before
        ended.keySet().removeIf(p -> p.startsWith(e.path() + "."));
      }
      case STEP_COMPLETE, STEP_FAILED, STEP_SKIPPED, STEP_TIMEOUT, STEP_CANCELLED -> {
        inFlight.remove(e.path());
        waiting.remove(e.path());
        ended.remove(e.path());
        ended.put(
            e.path(),
            new StepResult(
                e.step(),
                e.path(),
                status(e.type()),
                e.duration() == null ? 0 : e.duration(),
                e.type() == EventType.STEP_COMPLETE ? e.result() : null,
                e.error(),
                retries.getOrDefault(e.path(), 0),
                e.agent(),
                List.of(),
                null,
                null));
      }
      case WORKFLOW_COMPLETE -> {
        try {
          finalResult = Json.MAPPER.treeToValue(e.result(), WorkflowResult.class);
        } catch (IOException | IllegalArgumentException ex) {
          throw new UserError(
              Main.RUN_FAILED, "cannot read the result of run " + runId + ": " + ex.getMessage());
        }
      }
      case WORKFLOW_REJECTED, WORKFLOW_DUPLICATE ->
          refusals.add(e.type().wire() + ": " + e.reason());
      default -> {
        // workflow:failed / cancelled come with workflow:complete; step:lost and dispatch:refused
        // are informative
      }
    }
  }

  private static StepStatus status(EventType t) {
    return switch (t) {
      case STEP_COMPLETE -> StepStatus.SUCCESS;
      case STEP_FAILED -> StepStatus.FAILED;
      case STEP_SKIPPED -> StepStatus.SKIPPED;
      case STEP_TIMEOUT -> StepStatus.TIMEOUT;
      default -> StepStatus.CANCELLED;
    };
  }

  /** The result so far (the published one once the run has ended). */
  WorkflowResult result(long now) {
    if (finalResult != null) {
      return finalResult;
    }
    List<StepResult> steps = new ArrayList<>(ended.values());
    for (WorkflowEvent s : inFlight.values()) {
      long at = Instant.parse(s.at()).toEpochMilli();
      steps.add(
          new StepResult(
              s.step(),
              s.path(),
              waiting.containsKey(s.path()) ? StepStatus.WAITING : StepStatus.RUNNING,
              Math.max(0, now - at),
              null,
              null,
              retries.getOrDefault(s.path(), 0),
              null,
              List.of(),
              waiting.get(s.path()),
              null));
    }
    List<ErrorEntry> errors = new ArrayList<>();
    for (StepResult s : ended.values()) {
      boolean leaf = ended.keySet().stream().noneMatch(p -> p.startsWith(s.path() + "."));
      if (s.status().isFailure() && leaf) {
        errors.add(new ErrorEntry(s.path(), s.name(), s.error()));
      }
    }
    return new WorkflowResult(
        runId,
        name,
        true,
        RunStatus.RUNNING,
        startedAt < 0 ? 0 : Math.max(0, now - startedAt),
        steps,
        errors,
        null);
  }
}
