package dev.wf.protocol.message;

/** A request to an agent, on the agent-control topic keyed by agent id. */
public record AgentControl(
    String type, String agent, String runId, String dispatchId, String reason) {
  public static final String CANCEL = "cancel";

  public static AgentControl cancel(String agent, String runId, String dispatchId, String reason) {
    return new AgentControl(CANCEL, agent, runId, dispatchId, reason);
  }
}
