package dev.wf.agent.metrics;

/**
 * Why an agent did not run what it was given: the {@code reason} label of {@code
 * wf_agent_refusals_total}. A short fixed set, so that a forged record cannot grow the label's
 * values.
 */
public enum RefusalKind {
  /** Signatures are required and the record's does not verify. */
  FORGED("forged"),
  /** A genuine dispatch of another pool, copied to this pool's topic. */
  WRONG_POOL("wrong-pool"),
  /** Past the time the coordinator waits for it: a replay, or one it gave up on. */
  EXPIRED("expired"),
  /** A dispatch without an action. */
  NO_ACTION("no-action"),
  /** Not a dispatch at all: undecodable, or without its ids (skipped, not reported). */
  UNREADABLE("unreadable"),
  /** An action kind or shell command this agent does not allow (the attempt fails). */
  NOT_ALLOWED("not-allowed");

  private final String label;

  RefusalKind(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
