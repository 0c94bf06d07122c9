package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.message.AgentHeartbeat;
import java.util.function.Function;

/** An agent as the agents page shows it: its last heartbeat and the attempts lost with it. */
final class AgentView {
  final String id;
  AgentHeartbeat last;
  boolean gone;
  int lost;

  AgentView(String id) {
    this.id = id;
  }

  /** The agent, naming each attempt it runs with {@code nameOf} (its run's and step's names). */
  ObjectNode json(Function<AgentHeartbeat.Running, String> nameOf) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", id);
    n.put("gone", gone);
    n.put("lost", lost);
    if (last != null) {
      n.put("host", last.host());
      ArrayNode pools = n.putArray("pools");
      last.pools().forEach(pools::add);
      n.put("maxConcurrent", last.maxConcurrent());
      n.put("startedAt", last.startedAt());
      n.put("at", last.at());
      n.put("intervalMs", last.intervalMs());
      n.put("stopping", last.stopping());
      ArrayNode running = n.putArray("running");
      for (AgentHeartbeat.Running r : last.running()) {
        ObjectNode o = running.addObject();
        o.put("runId", r.runId());
        o.put("path", r.path());
        o.put("attempt", r.attempt());
        o.put("name", nameOf.apply(r));
      }
    }
    return n;
  }
}
