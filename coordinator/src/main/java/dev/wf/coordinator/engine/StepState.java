package dev.wf.coordinator.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.StepStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one started step of one run, stored apart from the run so that an event costs the
 * same whatever the size of the run. Mutable on purpose: the machine changes the states it loaded
 * and the store writes back what was touched.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class StepState {
  String path;
  Phase phase;

  /** The final status once ENDED. */
  StepStatus status;

  long startedAt;
  long endedAt;

  /** Position in completion order, for the result's {@code steps}. */
  long endSeq;

  JsonNode result;
  String error;

  /** True when the failure began here (it is listed in {@code errors}). */
  boolean errorOrigin;

  int retries;
  List<Attempt> attempts = new ArrayList<>();

  // leaf
  String dispatchId;
  String agent;
  int attempt;
  int lost;

  // group
  int iteration = 1;
  long iterationStartedAt;
  int nextChild;
  int pending;
  boolean failing;
  boolean cancelling;
  String failure;

  StepState() {}

  StepState(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }

  public Phase phase() {
    return phase;
  }

  public StepStatus status() {
    return status;
  }

  public boolean ended() {
    return phase == Phase.ENDED;
  }

  public long endSeq() {
    return endSeq;
  }

  public String dispatchId() {
    return dispatchId;
  }

  public String agent() {
    return agent;
  }

  void moveTo(Phase to) {
    phase = phase == null ? to : phase.to(to, path);
  }
}
