package dev.wf.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.StepResult;
import java.util.List;
import java.util.Map;

/** What clients write to the intake topic, keyed by run id (DESIGN.md section 4). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IntakeMessage.Submit.class, name = "submit"),
  @JsonSubTypes.Type(value = IntakeMessage.Cancel.class, name = "cancel"),
  @JsonSubTypes.Type(value = IntakeMessage.Signal.class, name = "signal"),
  @JsonSubTypes.Type(value = IntakeMessage.Rerun.class, name = "rerun"),
  @JsonSubTypes.Type(value = IntakeMessage.RerunStart.class, name = "rerun-start"),
  @JsonSubTypes.Type(value = IntakeMessage.KeyAnswer.class, name = "key-answer")
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface IntakeMessage {
  String runId();

  /** Start a run of {@code definition} (same schema as the YAML) with {@code inputs}. */
  record Submit(String runId, JsonNode definition, Map<String, JsonNode> inputs)
      implements IntakeMessage {
    public Submit {
      inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    }
  }

  /** Cancel the run: running steps are stopped, nothing more is dispatched. */
  record Cancel(String runId, String reason) implements IntakeMessage {}

  /**
   * Start run {@code runId} again from run {@code of}: its definition and inputs, taking as they
   * were the steps that succeeded before {@code from} (every step that succeeded, without it).
   */
  record Rerun(String runId, String of, String from) implements IntakeMessage {}

  /**
   * Internal, never accepted on the intake: the coordinator that holds run {@code of} starts the
   * rerun {@code runId} with {@code of}'s definition and inputs, taking {@code reuse} (by the path
   * of each step taken, its steps' results in the order they ended, itself last).
   */
  record RerunStart(
      String runId,
      String of,
      JsonNode definition,
      Map<String, JsonNode> inputs,
      Map<String, List<StepResult>> reuse)
      implements IntakeMessage {
    public RerunStart {
      inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
      reuse = reuse == null ? Map.of() : Map.copyOf(reuse);
    }
  }

  /**
   * Internal, never accepted on the intake: the keeper of concurrency key {@code key} answers the
   * step at {@code path}: {@code granted}, {@code queued} or {@code refused} (behind {@code
   * holder}), or {@code preempted} (by {@code holder}).
   */
  record KeyAnswer(String runId, String path, String key, String answer, String holder)
      implements IntakeMessage {}

  /**
   * A person's answer to the approval step {@code step} of the run: {@code decision} is {@code
   * approve} or {@code reject}.
   */
  record Signal(String runId, String step, String decision, String by, String comment)
      implements IntakeMessage {
    public static final String APPROVE = "approve";
    public static final String REJECT = "reject";

    public boolean approves() {
      return APPROVE.equals(decision);
    }
  }
}
