package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.StepResult;
import java.util.ArrayList;
import java.util.List;

/** One step of a run as the dashboard shows it: a row of the tree, and its details on demand. */
final class StepView {
  /** Attempts kept per step (the newest), so that a step bounced forever stays small. */
  static final int MAX_ATTEMPTS = 20;

  final String path;
  final String name;
  final String parent;
  final int index;
  String status = "running";
  long startedAt = -1;
  long endedAt = -1;
  long duration = -1;
  String agent;
  int attempt;
  int retries;
  int lost;
  String error;
  String waitingFor;
  String approval;
  String result;
  String output;
  final List<AttemptView> attempts = new ArrayList<>();

  StepView(String path, String name) {
    this.path = path;
    this.name = name;
    this.parent = StepPaths.parent(path);
    this.index = StepPaths.index(path);
  }

  /** One try of the step, from its events or from the run's result. */
  record AttemptView(int attempt, String status, String agent, long at, String error) {}

  void addAttempt(AttemptView a) {
    attempts.add(a);
    if (attempts.size() > MAX_ATTEMPTS) {
      attempts.remove(0);
    }
  }

  boolean ended() {
    return endedAt >= 0 || !(status.equals("running") || status.equals("waiting"));
  }

  /** The step's result value: kept as capped text, and the output tail apart when it has one. */
  void result(JsonNode value) {
    if (value == null || value.isNull()) {
      return;
    }
    JsonNode out = value.get("output");
    if (out != null && out.isTextual()) {
      output = Text.tail(out.asText(), Text.TAIL);
    }
    result = Text.head(value.toString(), Text.TAIL);
  }

  /** What the run's published result adds: the attempts with their agents, the final result. */
  void settle(StepResult r) {
    status = r.status().word();
    duration = r.duration();
    if (r.error() != null) {
      error = Text.tail(r.error(), Text.TAIL);
    }
    if (r.agent() != null) {
      agent = r.agent();
    }
    retries = r.retries();
    result(r.result());
    if (!r.attempts().isEmpty()) {
      attempts.clear();
      for (Attempt a : r.attempts()) {
        addAttempt(
            new AttemptView(
                a.attempt(),
                a.status() == null ? null : a.status().word(),
                a.agent(),
                a.startedAt() == null ? -1 : a.startedAt(),
                Text.tail(a.error(), Text.LINE)));
      }
    }
  }

  /** The row: what the tree and the timeline need, small enough for 10,000 of them. */
  ObjectNode row() {
    ObjectNode n = Json.MAPPER.createObjectNode();
    n.put("path", path);
    n.put("name", name);
    if (parent != null) {
      n.put("parent", parent);
    }
    n.put("index", index);
    n.put("status", status);
    n.put("startedAt", startedAt);
    n.put("endedAt", endedAt);
    n.put("duration", duration);
    if (agent != null) {
      n.put("agent", agent);
    }
    n.put("attempt", attempt);
    n.put("retries", retries);
    n.put("lost", lost);
    if (error != null) {
      n.put("error", Text.head(error, Text.LINE));
    }
    if (waitingFor != null) {
      n.put("waitingFor", waitingFor);
    }
    if (approval != null) {
      n.put("approval", approval);
    }
    return n;
  }

  /** The row plus what the details panel shows: attempts, full error, result, output tail. */
  ObjectNode details() {
    ObjectNode n = row();
    if (error != null) {
      n.put("error", error);
    }
    if (result != null) {
      n.put("result", result);
    }
    if (output != null) {
      n.put("output", output);
    }
    ArrayNode as = n.putArray("attempts");
    for (AttemptView a : attempts) {
      ObjectNode o = as.addObject();
      o.put("attempt", a.attempt());
      o.put("status", a.status());
      o.put("agent", a.agent());
      o.put("at", a.at());
      o.put("error", a.error());
    }
    return n;
  }
}
