package dev.wf.protocol.message;

import java.util.List;

/**
 * An agent's liveness record on the agents topic (compacted, keyed by agent id). {@code stopping}
 * is set by an agent draining before exit; a tombstone (null value) says it is gone.
 */
public record AgentHeartbeat(
    String agent,
    String host,
    List<String> pools,
    int maxConcurrent,
    List<Running> running,
    long startedAt,
    long at,
    long intervalMs,
    boolean stopping) {
  public AgentHeartbeat {
    pools = List.copyOf(pools);
    running = List.copyOf(running);
  }

  /** An attempt the agent is running. */
  public record Running(String runId, String dispatchId, String path, int attempt) {}
}
