package dev.wf.protocol.message;

import java.util.Objects;

/**
 * What names one dispatch across the whole cluster: its run and its dispatch id. A dispatch id
 * alone repeats in every run of the same workflow ({@code 1:Root.sequential[0]}), so everything
 * that keeps or looks up dispatches outside their run (an agent's running jobs, cancels,
 * heartbeats, the coordinator's attempts by agent) uses this pair.
 */
public record DispatchRef(String runId, String dispatchId) {
  public DispatchRef {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(dispatchId, "dispatchId");
  }

  @Override
  public String toString() {
    return runId + "/" + dispatchId;
  }
}
