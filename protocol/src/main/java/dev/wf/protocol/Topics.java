package dev.wf.protocol;

import java.util.Objects;

/** Every topic name, built from one prefix (default {@code wf.}). */
public record Topics(String prefix) {
  public static final Topics DEFAULT = new Topics("wf.");

  /**
   * The largest record wf writes or reads (a 10,000-step result is about 2.5 MB): the topics that
   * carry large records, the producers and the consumers are all set to it.
   */
  public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  /**
   * Partitions of the topics wf creates unless told otherwise: as many consumers (agents of one
   * pool, coordinator instances) can share the work.
   */
  public static final int DEFAULT_PARTITIONS = 3;

  public Topics {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.matches("[A-Za-z0-9._-]*")) {
      throw new IllegalArgumentException(
          "topic prefix may hold only letters, digits, '.', '_' and '-': " + prefix);
    }
  }

  public String intake() {
    return prefix + "intake";
  }

  public String events() {
    return prefix + "events";
  }

  public String results() {
    return prefix + "results";
  }

  public String stepEvents() {
    return prefix + "step-events";
  }

  public String agents() {
    return prefix + "agents";
  }

  public String agentControl() {
    return prefix + "agent-control";
  }

  public String deadLetter() {
    return prefix + "dead-letter";
  }

  public String dispatch(String pool) {
    return prefix + "dispatch." + pool;
  }

  /** The coordinator's own topic of intake records re-keyed by run id (co-partitioned). */
  public String coordinatorRuns() {
    return prefix + "coordinator-runs";
  }

  /**
   * The Kafka Streams application id of the coordinator (also the prefix of its internal topics).
   */
  /** Internal: requests for concurrency keys, keyed by key, to the one task that keeps each. */
  public String coordinatorKeys() {
    return prefix + "coordinator-keys";
  }

  public String coordinatorAppId() {
    return prefix + "coordinator";
  }
}
