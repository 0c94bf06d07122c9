package dev.wf.protocol.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** What clients write to the intake topic, keyed by run id (DESIGN.md section 4). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IntakeMessage.Submit.class, name = "submit"),
  @JsonSubTypes.Type(value = IntakeMessage.Cancel.class, name = "cancel"),
  @JsonSubTypes.Type(value = IntakeMessage.Signal.class, name = "signal"),
  @JsonSubTypes.Type(value = IntakeMessage.Rerun.class, name = "rerun")
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
