package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** One run as the dashboard shows it: a row of the runs list, and its steps by path. */
final class RunView {
  final String runId;
  String name;
  String status = "running";
  long startedAt = -1;
  long endedAt = -1;
  long duration = -1;
  String reason;
  int errors;
  final Map<String, StepView> steps = new LinkedHashMap<>();

  RunView(String runId) {
    this.runId = runId;
  }

  boolean ended() {
    return !status.equals("running");
  }

  StepView step(String path, String name) {
    return steps.computeIfAbsent(path, p -> new StepView(p, name == null ? p : name));
  }

  /** The runs-list row: counts of its steps by status, and the approvals waiting. */
  ObjectNode summary() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("id", runId);
    n.put("name", name == null ? runId : name);
    n.put("status", status);
    n.put("startedAt", startedAt);
    n.put("endedAt", endedAt);
    n.put("duration", duration);
    if (reason != null) {
      n.put("reason", Text.head(reason, Text.LINE));
    }
    n.put("errors", errors);
    Map<String, Integer> counts = new TreeMap<>();
    int approvals = 0;
    for (StepView s : steps.values()) {
      counts.merge(s.status, 1, Integer::sum);
      if (s.approval != null && !s.ended()) {
        approvals++;
      }
    }
    n.put("steps", steps.size());
    ObjectNode c = n.putObject("counts");
    counts.forEach(c::put);
    n.put("approvals", approvals);
    return n;
  }
}
