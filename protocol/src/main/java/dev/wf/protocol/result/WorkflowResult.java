package dev.wf.protocol.result;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The outcome of a run (DESIGN.md section 2): every step that ended, in the order they ended, and
 * each failure once. A rerun names the run it reran in {@code rerunOf}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkflowResult(
    String runId,
    String name,
    boolean success,
    RunStatus status,
    long duration,
    List<StepResult> steps,
    List<ErrorEntry> errors,
    String rerunOf) {
  public WorkflowResult {
    steps = List.copyOf(steps);
    errors = List.copyOf(errors);
  }
}
