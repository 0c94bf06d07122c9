package dev.wf.protocol.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The event names of DESIGN.md section 3 (the seed's, plus ours). */
public enum EventType {
  WORKFLOW_START("workflow:start"),
  STEP_START("step:start"),
  STEP_COMPLETE("step:complete"),
  STEP_FAILED("step:failed"),
  STEP_SKIPPED("step:skipped"),
  STEP_RETRY("step:retry"),
  STEP_TIMEOUT("step:timeout"),
  STEP_CANCELLED("step:cancelled"),
  STEP_LOST("step:lost"),
  WORKFLOW_COMPLETE("workflow:complete"),
  WORKFLOW_FAILED("workflow:failed"),
  WORKFLOW_CANCELLED("workflow:cancelled"),
  WORKFLOW_REJECTED("workflow:rejected"),
  WORKFLOW_DUPLICATE("workflow:duplicate"),
  DISPATCH_REFUSED("dispatch:refused"),
  STEP_QUEUED("step:queued"),
  STEP_APPROVAL("step:approval"),
  SIGNAL_REFUSED("signal:refused");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  @JsonValue
  public String wire() {
    return wire;
  }

  @JsonCreator
  public static EventType of(String wire) {
    for (EventType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown event type " + wire);
  }
}
