package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The model and the pages that watch it, behind one lock: a page subscribes and gets its snapshot
 * in the same step, so it misses no delta and sees none twice.
 */
final class LiveView {
  /** Pages watching at once; more are refused (each holds a thread and a connection). */
  static final int MAX_STREAMS = 64;

  private final DashboardModel model;
  private final Clock clock;
  private final List<PageStream> streams = new CopyOnWriteArrayList<>();

  LiveView(DashboardModel model, Clock clock) {
    this.model = model;
    this.clock = clock;
  }

  /** One record read from the topics. */
  sealed interface Input {
    record Event(WorkflowEvent event, long recordTime) implements Input {}

    record Result(WorkflowResult result, long recordTime) implements Input {}

    record Heartbeat(String agentId, AgentHeartbeat heartbeat) implements Input {}
  }

  /** Folds a batch of records, then sends each page the deltas it watches. */
  synchronized void fold(List<Input> batch) {
    for (Input in : batch) {
      if (in instanceof Input.Event e) {
        model.apply(e.event(), e.recordTime());
      } else if (in instanceof Input.Result r) {
        model.applyResult(r.result(), r.recordTime());
      } else if (in instanceof Input.Heartbeat h) {
        model.applyHeartbeat(h.agentId(), h.heartbeat());
      }
    }
    DashboardModel.Changes c = model.drain();
    if (c.isEmpty() || streams.isEmpty()) {
      return;
    }
    long now = clock.millis();
    String runs = null;
    String agents = null;
    for (PageStream s : streams) {
      switch (s.scope.kind()) {
        case PageStream.Scope.RUNS -> {
          if (!c.runs().isEmpty() || !c.evicted().isEmpty()) {
            runs = runs != null ? runs : Views.runsDelta(model, c, now).toString();
            offer(s, "runs", runs);
          }
        }
        case PageStream.Scope.RUN -> {
          ObjectNode d = Views.runDelta(model, c, s.scope.runId(), now);
          if (d != null) {
            offer(s, "run", d.toString());
          }
        }
        default -> {
          if (c.agents()) {
            agents = agents != null ? agents : Views.agents(model, now).toString();
            offer(s, "agents", agents);
          }
        }
      }
    }
  }

  private void offer(PageStream s, String name, String json) {
    if (!s.offer(name, json)) {
      streams.remove(s);
    }
  }

  /** A new page's stream, its snapshot already queued; null when too many pages watch. */
  synchronized PageStream subscribe(PageStream.Scope scope) {
    if (streams.size() >= MAX_STREAMS) {
      return null;
    }
    PageStream s = new PageStream(scope);
    long now = clock.millis();
    String snapshot =
        switch (scope.kind()) {
          case PageStream.Scope.RUNS -> Views.runs(model, now).toString();
          case PageStream.Scope.RUN -> Views.run(model, scope.runId(), now).toString();
          default -> Views.agents(model, now).toString();
        };
    s.offer("snapshot", snapshot);
    streams.add(s);
    return s;
  }

  void unsubscribe(PageStream s) {
    s.close();
    streams.remove(s);
  }

  synchronized String runsJson() {
    return Views.runs(model, clock.millis()).toString();
  }

  synchronized String runJson(String runId) {
    return Views.run(model, runId, clock.millis()).toString();
  }

  synchronized String agentsJson() {
    return Views.agents(model, clock.millis()).toString();
  }

  /** The step's details, or null when the dashboard does not know it. */
  synchronized String stepJson(String runId, String path) {
    ObjectNode n = Views.step(model, runId, path);
    return n == null ? null : n.toString();
  }

  /** Whether run {@code runId} has a step named {@code step} waiting for an approval. */
  synchronized boolean awaitsApproval(String runId, String step) {
    RunView r = model.run(runId);
    return r != null
        && r.steps.values().stream()
            .anyMatch(s -> s.name.equals(step) && s.approval != null && !s.ended());
  }

  synchronized boolean knows(String runId) {
    return model.run(runId) != null;
  }

  void closeAll() {
    streams.forEach(PageStream::close);
    streams.clear();
  }
}
