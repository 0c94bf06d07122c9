package dev.wf.coordinator.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one started step of one run, stored apart from the run so that an event costs the
 * same whatever the size of the run. Mutable on purpose: the machine changes the states it loaded
 * and the store writes back what was touched. Every change is one of the methods below, named for
 * what happened to the step; the fields are read by the machine and by {@link Results}.
 */
@JsonAutoDetect(
    fieldVisibility = JsonAutoDetect.Visibility.ANY,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public final class StepState {
  String path;
  Phase phase;

  /** The final status once ENDED. */
  StepStatus status;

  long startedAt;
  long endedAt;

  /** Position in completion order, for the result's {@code steps}. */
  long endSeq;

  JsonNode result;
  String error;

  /** True when the failure began here (it is listed in {@code errors}). */
  boolean errorOrigin;

  int retries;
  List<Attempt> attempts = new ArrayList<>();

  /** What a step shown waiting waits for. */
  String waitingFor;

  /** Taken from the run this one reruns, not run again. */
  boolean reused;

  /** The concurrency key the step holds or waits for. */
  String key;

  // leaf
  String dispatchId;
  String agent;
  int attempt;
  int lost;
  int handedBack;

  // group
  int iteration = 1;
  long iterationStartedAt;
  int nextChild;
  int pending;
  boolean failing;
  boolean cancelling;
  String failure;

  // forEach: the number of items; an iteration: its item
  int items;
  JsonNode item;

  StepState() {}

  StepState(String path) {
    this.path = path;
  }

  public String path() {
    return path;
  }

  public Phase phase() {
    return phase;
  }

  public StepStatus status() {
    return status;
  }

  public boolean ended() {
    return phase == Phase.ENDED;
  }

  public long endSeq() {
    return endSeq;
  }

  public String dispatchId() {
    return dispatchId;
  }

  public String agent() {
    return agent;
  }

  // ---- every step -----------------------------------------------------------------------

  void begin(long now) {
    startedAt = now;
  }

  void end(StepStatus status, String error, boolean origin, long now, long seq) {
    moveTo(Phase.ENDED);
    waitingFor = null;
    this.status = status;
    this.error = error;
    this.errorOrigin = origin && status.isFailure();
    this.endedAt = now;
    this.endSeq = seq;
  }

  /** The step waits for its concurrency key before it starts. */
  void queue(String key) {
    moveTo(Phase.QUEUED);
    this.key = key;
    this.waitingFor = "concurrency key \"" + key + "\"";
  }

  void queuedBehind(String holder) {
    this.waitingFor = "concurrency key \"" + key + "\", held by " + holder;
  }

  /** The step is what it was in the run this one reruns. */
  void reuse(StepResult old, long now) {
    reused = true;
    startedAt = now - old.duration();
    result = old.result();
    error = old.error();
    retries = old.retries();
    agent = old.agent();
    attempts = new ArrayList<>(old.attempts());
    if (phase == null) {
      moveTo(Phase.WAITING);
    }
  }

  // ---- a leaf and its attempts ---------------------------------------------------------------

  void dispatched(String dispatchId, int attempt, String pool) {
    moveTo(Phase.WAITING);
    this.dispatchId = dispatchId;
    this.attempt = attempt;
    this.waitingFor = "an agent of pool \"" + pool + "\"";
  }

  /** An approval step waits for a person's decision. */
  void awaitDecision(String message) {
    moveTo(Phase.WAITING);
    this.waitingFor = "approval: " + message;
  }

  void decided(JsonNode decision) {
    this.result = decision;
  }

  /** True when the step was waiting for an agent to take it, so its start timer is now moot. */
  boolean agentTook(String agent) {
    boolean waited = phase == Phase.WAITING;
    if (waited) {
      moveTo(Phase.RUNNING);
      waitingFor = null;
    }
    this.agent = agent;
    return waited;
  }

  void attemptStarted(int n, long now) {
    attempt = n;
    retries = Math.max(0, n - 1);
    closeOpenAttempt(AttemptStatus.LOST, "superseded by attempt " + n, now);
    attempts.add(new Attempt(n, AttemptStatus.RUNNING, agent, now, null, null));
  }

  /** Attempt {@code n} failed and the agent runs attempt {@code n + 1} after its backoff. */
  void attemptRetried(int n, AttemptStatus failed, String error, long now) {
    closeAttempt(n, agent, failed, error, now);
    attempt = n + 1;
    retries = n;
  }

  void attemptFinished(
      String agent, int n, AttemptStatus outcome, String error, JsonNode result, long now) {
    closeAttempt(n, agent, outcome, error, now);
    this.agent = agent;
    attempt = n;
    retries = Math.max(0, n - 1);
    this.result = result;
  }

  /** The attempt in flight is gone with its agent; returns how many times that has happened. */
  int attemptLost(String reason, long now) {
    closeOpenAttempt(AttemptStatus.LOST, reason, now);
    return ++lost;
  }

  /** A stopping agent handed the attempt back; returns how many times that has happened. */
  int handedBack(String reason, long now) {
    closeOpenAttempt(AttemptStatus.LOST, reason, now);
    return ++handedBack;
  }

  void deadlinePassed(long now) {
    closeOpenAttempt(AttemptStatus.TIMEOUT, "the step's deadline passed", now);
  }

  void cancelUnconfirmed(long now) {
    closeOpenAttempt(AttemptStatus.CANCELLED, "agent did not confirm the cancel", now);
  }

  private void closeOpenAttempt(AttemptStatus outcome, String error, long now) {
    if (!attempts.isEmpty()) {
      Attempt last = attempts.get(attempts.size() - 1);
      if (last.status() == AttemptStatus.RUNNING) {
        attempts.set(attempts.size() - 1, last.ended(outcome, now, error));
      }
    }
  }

  private void closeAttempt(int n, String agent, AttemptStatus outcome, String error, long now) {
    if (!attempts.isEmpty()) {
      Attempt last = attempts.get(attempts.size() - 1);
      if (last.attempt() == n && last.status() == AttemptStatus.RUNNING) {
        attempts.set(attempts.size() - 1, last.ended(outcome, now, error));
        return;
      }
    }
    closeOpenAttempt(AttemptStatus.LOST, "no report", now);
    attempts.add(new Attempt(n, outcome, agent, null, null, error));
  }

  // ---- a group and its iterations ------------------------------------------------------------

  void groupStarted(long now) {
    moveTo(Phase.RUNNING);
    iterationStartedAt = now;
  }

  /** The index of the next child of a sequential group to start, counting it as started. */
  int takeNextChild() {
    return nextChild++;
  }

  boolean hasNextChild(int children) {
    return nextChild < children;
  }

  /** A forEach group's list was evaluated to {@code n} items. */
  void fannedOut(int n) {
    items = n;
  }

  boolean hasNextItem() {
    return nextChild < items;
  }

  /** How many children were started in this iteration of the group. */
  int started() {
    return nextChild;
  }

  /** An iteration of a forEach group starts with its item. */
  void iterate(JsonNode item) {
    this.item = item;
  }

  void expectChildren(int n) {
    pending += n;
  }

  /** One child of a parallel group ended; returns how many are still expected. */
  int childDone() {
    return --pending;
  }

  /** The group's first failure, kept to report once the others are done. False if not first. */
  boolean failing(String failure) {
    if (failing) {
      return false;
    }
    failing = true;
    this.failure = failure;
    return true;
  }

  /** The group waits for its children to stop: a sibling failed, or it is being cancelled. */
  void settle(boolean cancelled) {
    cancelling |= cancelled;
    if (phase != Phase.SETTLING) {
      moveTo(Phase.SETTLING);
    }
  }

  /** This iteration failed and the group will run again after a backoff. */
  void iterationFailed(String failure, long now) {
    attempts.add(
        new Attempt(
            iteration,
            AttemptStatus.FAILED,
            null,
            iterationStartedAt,
            now - iterationStartedAt,
            failure));
    retries = iteration;
    moveTo(Phase.BACKOFF);
  }

  void nextIteration(long now) {
    iteration++;
    items = 0;
    nextChild = 0;
    pending = 0;
    failing = false;
    failure = null;
    groupStarted(now);
  }

  private void moveTo(Phase to) {
    phase = phase == null ? to : phase.to(to, path);
  }
}
