package dev.wf.coordinator.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.RunStatus;
import java.util.LinkedHashMap;
import java.util.Map;

/** The summary of one run: small and of fixed size whatever the number of steps. */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class RunInfo {
  String runId;
  String name;
  RunStatus status;
  long startedAt;
  long endedAt;
  long nextEndSeq;
  long nextDispatch;
  boolean cancelRequested;
  boolean timedOut;
  String cancelReason;

  /** The run this one reruns, if any. */
  String rerunOf;

  /**
   * The inputs of a run started before they were kept apart ({@link Variables#INPUTS}): the summary
   * is read and written with every input, so it must stay small whatever the inputs.
   */
  Map<String, JsonNode> inputs = new LinkedHashMap<>();

  RunInfo() {}

  RunInfo(String runId, String name, long now) {
    this.runId = runId;
    this.name = name;
    this.status = RunStatus.RUNNING;
    this.startedAt = now;
  }

  public String runId() {
    return runId;
  }

  public String name() {
    return name;
  }

  public RunStatus status() {
    return status;
  }

  public boolean ended() {
    return status != RunStatus.RUNNING;
  }

  public long startedAt() {
    return startedAt;
  }

  public long endedAt() {
    return endedAt;
  }
}
