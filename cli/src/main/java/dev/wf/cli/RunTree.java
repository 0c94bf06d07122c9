package dev.wf.cli;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run as a tree of the steps it has started, rebuilt from its events alone: each step's state,
 * duration, agent and attempts, its children in their order. The parent of a step is its path
 * without the last {@code .sequential[i]} or {@code .parallel[i]}. Not thread-safe.
 */
final class RunTree {
  private static final Pattern LAST = Pattern.compile("^(.*)\\.(sequential|parallel)\\[(\\d+)]$");

  /** What a step is doing, or how it ended. */
  enum State {
    RUNNING,
    WAITING,
    RETRYING,
    SUCCESS,
    FAILED,
    TIMEOUT,
    CANCELLED,
    SKIPPED;

    boolean ended() {
      return ordinal() >= SUCCESS.ordinal();
    }

    boolean failure() {
      return this == FAILED || this == TIMEOUT;
    }
  }

  /** One step of the run. */
  static final class Node {
    final String path;
    final int index;
    String name;
    State state = State.RUNNING;
    long startedAt;
    long duration = -1;
    String agent;
    int attempts = 1;
    String note;
    final List<Node> children = new ArrayList<>();

    Node(String path, int index) {
      this.path = path;
      this.index = index;
    }

    /** How long it ran, or has been running at {@code now}. */
    long took(long now) {
      return duration >= 0 ? duration : Math.max(0, now - startedAt);
    }

    /** The leaves under it (itself when it is one). */
    int leaves() {
      if (children.isEmpty()) {
        return 1;
      }
      return children.stream().mapToInt(Node::leaves).sum();
    }
  }

  private final String runId;
  private final Map<String, Node> byPath = new HashMap<>();
  private Node root;
  private State runState = State.RUNNING;
  private long runStartedAt = -1;
  private long runDuration = -1;
  private String runError;

  RunTree(String runId) {
    this.runId = runId;
  }

  String runId() {
    return runId;
  }

  Node root() {
    return root;
  }

  State runState() {
    return runState;
  }

  /** The run's age at {@code now}, or its duration once it ended. */
  long runTook(long now) {
    if (runDuration >= 0) {
      return runDuration;
    }
    return runStartedAt < 0 ? 0 : Math.max(0, now - runStartedAt);
  }

  String runError() {
    return runError;
  }

  void apply(WorkflowEvent e) {
    long at = e.at() == null ? 0 : Instant.parse(e.at()).toEpochMilli();
    switch (e.type()) {
      case WORKFLOW_START -> runStartedAt = at;
      case WORKFLOW_FAILED -> runError = e.error() != null ? e.error() : e.reason();
      case WORKFLOW_COMPLETE -> {
        runState = runState == State.RUNNING ? outcome(e) : runState;
        runDuration = runStartedAt < 0 ? 0 : Math.max(0, at - runStartedAt);
      }
      case WORKFLOW_CANCELLED -> runState = State.CANCELLED;
      case WORKFLOW_REJECTED, WORKFLOW_DUPLICATE -> {
        runState = State.FAILED;
        runError = e.reason();
      }
      case STEP_START -> {
        Node n = node(e);
        n.state = State.RUNNING;
        n.startedAt = at;
        n.duration = -1;
        n.note = null;
      }
      case STEP_QUEUED -> {
        Node n = node(e);
        n.state = State.WAITING;
        n.startedAt = n.startedAt == 0 ? at : n.startedAt;
        n.note = e.reason();
      }
      case STEP_APPROVAL -> {
        Node n = node(e);
        n.state = State.WAITING;
        n.note = "approval: " + e.message();
      }
      case STEP_RETRY -> {
        Node n = node(e);
        n.state = State.RETRYING;
        n.attempts = Math.max(n.attempts, (e.attempt() == null ? 1 : e.attempt()) + 1);
        n.agent = e.agent() != null ? e.agent() : n.agent;
        n.note = e.error();
        // a group that runs again starts its children afresh
        n.children.forEach(this::forget);
        n.children.clear();
      }
      case STEP_LOST -> {
        Node n = node(e);
        n.note = "lost: " + (e.reason() != null ? e.reason() : e.error());
      }
      case STEP_COMPLETE, STEP_FAILED, STEP_TIMEOUT, STEP_CANCELLED, STEP_SKIPPED -> {
        Node n = node(e);
        n.state = ended(e.type());
        if (n.startedAt == 0) {
          n.startedAt = at;
        }
        n.duration = e.duration() != null ? e.duration() : Math.max(0, at - n.startedAt);
        n.agent = e.agent() != null ? e.agent() : n.agent;
        if (e.attempt() != null) {
          n.attempts = Math.max(n.attempts, e.attempt());
        }
        n.note = n.state == State.SUCCESS ? null : e.error();
      }
      default -> {
        // dispatch:refused and signal:refused change no step
      }
    }
  }

  private static State outcome(WorkflowEvent e) {
    String status = e.result() == null ? "" : e.result().path("status").asText("");
    return switch (status) {
      case "success" -> State.SUCCESS;
      case "cancelled" -> State.CANCELLED;
      default -> State.FAILED;
    };
  }

  private static State ended(EventType t) {
    return switch (t) {
      case STEP_COMPLETE -> State.SUCCESS;
      case STEP_FAILED -> State.FAILED;
      case STEP_TIMEOUT -> State.TIMEOUT;
      case STEP_SKIPPED -> State.SKIPPED;
      default -> State.CANCELLED;
    };
  }

  private void forget(Node n) {
    byPath.remove(n.path);
    n.children.forEach(this::forget);
  }

  /** The node of the event's step, made (with its place under its parent) when new. */
  private Node node(WorkflowEvent e) {
    String path = e.path() == null ? e.step() : e.path();
    Node n = byPath.get(path);
    if (n == null) {
      Matcher m = LAST.matcher(path);
      n = new Node(path, m.matches() ? Integer.parseInt(m.group(3)) : 0);
      byPath.put(path, n);
      Node parent = m.matches() ? byPath.get(m.group(1)) : null;
      if (parent != null) {
        List<Node> siblings = parent.children;
        // steps mostly start in their order: append without a scan (a 10,000-way fan-out)
        int i = siblings.size();
        while (i > 0 && siblings.get(i - 1).index > n.index) {
          i--;
        }
        siblings.add(i, n);
      } else if (root == null || !m.matches()) {
        root = n;
      }
    }
    if (e.step() != null) {
      n.name = e.step();
    }
    return n;
  }
}
