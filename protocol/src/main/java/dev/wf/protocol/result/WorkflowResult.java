package dev.wf.protocol.result;

import java.util.List;

/**
 * The outcome of a run (DESIGN.md section 2): every step that ended, in the order they ended, and
 * each failure once.
 */
public record WorkflowResult(
    String runId,
    String name,
    boolean success,
    RunStatus status,
    long duration,
    List<StepResult> steps,
    List<ErrorEntry> errors) {
  public WorkflowResult {
    steps = List.copyOf(steps);
    errors = List.copyOf(errors);
  }
}
