package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.message.AgentHeartbeat;
import java.util.Set;

/**
 * The JSON documents the page reads: a snapshot when it connects, then deltas. Each carries the
 * server's {@code now} so that the page counts running times on the server's clock.
 */
final class Views {
  private Views() {}

  static ObjectNode runs(DashboardModel m, long now) {
    ObjectNode n = stamped(now);
    ArrayNode runs = n.putArray("runs");
    m.runs().forEach(r -> runs.add(r.summary()));
    return n;
  }

  static ObjectNode run(DashboardModel m, String runId, long now) {
    ObjectNode n = stamped(now);
    RunView r = m.run(runId);
    if (r == null) {
      n.putNull("run");
      n.putArray("steps");
      return n;
    }
    n.set("run", r.summary());
    ArrayNode steps = n.putArray("steps");
    r.steps.values().forEach(s -> steps.add(s.row()));
    return n;
  }

  static ObjectNode agents(DashboardModel m, long now) {
    ObjectNode n = stamped(now);
    ArrayNode agents = n.putArray("agents");
    m.agents().forEach(a -> agents.add(a.json(r -> nameOf(m, r))));
    return n;
  }

  /** The changed rows of the runs list, and the runs dropped from it. */
  static ObjectNode runsDelta(DashboardModel m, DashboardModel.Changes c, long now) {
    ObjectNode n = stamped(now);
    ArrayNode runs = n.putArray("runs");
    for (String id : c.runs()) {
      RunView r = m.run(id);
      if (r != null) {
        runs.add(r.summary());
      }
    }
    ArrayNode evicted = n.putArray("evicted");
    c.evicted().forEach(evicted::add);
    return n;
  }

  /** One run's changed steps (its row too), or null when nothing of it changed. */
  static ObjectNode runDelta(DashboardModel m, DashboardModel.Changes c, String runId, long now) {
    RunView r = m.run(runId);
    if (r == null || !c.runs().contains(runId)) {
      return null;
    }
    ObjectNode n = stamped(now);
    n.set("run", r.summary());
    ArrayNode steps = n.putArray("steps");
    for (String path : c.steps().getOrDefault(runId, Set.of())) {
      StepView s = r.steps.get(path);
      if (s != null) {
        steps.add(s.row());
      }
    }
    return n;
  }

  /** A step with its attempts, result and output tail, or null when unknown. */
  static ObjectNode step(DashboardModel m, String runId, String path) {
    RunView r = m.run(runId);
    StepView s = r == null ? null : r.steps.get(path);
    return s == null ? null : s.details();
  }

  /** "Run name › step name" of an attempt an agent runs, or its path when the run is unknown. */
  private static String nameOf(DashboardModel m, AgentHeartbeat.Running r) {
    RunView run = m.run(r.runId());
    StepView step = run == null ? null : run.steps.get(r.path());
    if (step == null) {
      return r.path();
    }
    return (run.name == null ? run.runId : run.name) + " › " + step.name;
  }

  private static ObjectNode stamped(long now) {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("now", now);
    return n;
  }
}
