package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.MachineConfig;
import dev.wf.protocol.Topics;
import dev.wf.protocol.definition.WorkflowValidator;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the coordinator service needs, validated at start.
 *
 * @param bootstrap Kafka bootstrap servers
 * @param topics topic names (from the prefix)
 * @param partitions partitions of the intake, step-events and internal run topics (more allow more
 *     coordinator instances to share the work)
 * @param replication replication factor of the topics it creates
 * @param stateDir where Kafka Streams keeps its local stores
 * @param commitIntervalMs Kafka Streams' commit interval: under exactly-once, dispatches become
 *     visible to agents only at commit, so this is the main latency lever (0 commits after every
 *     poll)
 * @param maxDefinitionBytes submissions larger than this are rejected
 * @param limits bounds on a definition's size and depth
 * @param machine the state machine's knobs
 * @param clientProperties extra Kafka client properties (security: TLS, SASL...)
 * @param agentTimeout an agent silent this long is dead and its attempts are dispatched again
 * @param standbyReplicas warm copies of each task's state on other instances, for fast takeover
 * @param retention how long an ended run's state stays in the stores (for duplicates and queries)
 */
public record CoordinatorConfig(
    String bootstrap,
    Topics topics,
    int partitions,
    short replication,
    Path stateDir,
    long commitIntervalMs,
    int maxDefinitionBytes,
    WorkflowValidator.Limits limits,
    MachineConfig machine,
    Map<String, String> clientProperties,
    java.time.Duration agentTimeout,
    int standbyReplicas,
    String applicationServer,
    dev.wf.protocol.Signatures signatures,
    java.time.Duration retention) {
  public CoordinatorConfig {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(stateDir, "stateDir");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
    }
    if (replication < 1) {
      throw new IllegalArgumentException("replication must be >= 1, got " + replication);
    }
    if (commitIntervalMs < 0) {
      throw new IllegalArgumentException("commit interval must be >= 0, got " + commitIntervalMs);
    }
    clientProperties = Map.copyOf(clientProperties);
  }

  public static CoordinatorConfig defaults(String bootstrap, Path stateDir) {
    return new CoordinatorConfig(
        bootstrap,
        Topics.DEFAULT,
        3,
        (short) 1,
        stateDir,
        10,
        1024 * 1024,
        WorkflowValidator.Limits.DEFAULT,
        MachineConfig.DEFAULT,
        Map.of(),
        java.time.Duration.ofSeconds(10),
        1,
        null,
        dev.wf.protocol.Signatures.none(),
        java.time.Duration.ofDays(7));
  }

  public CoordinatorConfig withTopics(Topics t) {
    return new CoordinatorConfig(
        bootstrap,
        t,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        signatures,
        retention);
  }

  public CoordinatorConfig withCommitInterval(long ms) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        ms,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        signatures,
        retention);
  }

  public CoordinatorConfig withClientProperties(Map<String, String> props) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        props,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        signatures,
        retention);
  }

  public CoordinatorConfig withMachine(MachineConfig m, java.time.Duration agentSilence) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        m,
        clientProperties,
        agentSilence,
        standbyReplicas,
        applicationServer,
        signatures,
        retention);
  }

  public CoordinatorConfig withLimits(int maxBytes, WorkflowValidator.Limits l, int standbys) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxBytes,
        l,
        machine,
        clientProperties,
        agentTimeout,
        standbys,
        applicationServer,
        signatures,
        retention);
  }

  /** {@code host:port} where this instance's HTTP API answers, for queries of other instances. */
  public CoordinatorConfig withApplicationServer(String hostPort) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        hostPort,
        signatures,
        retention);
  }

  /** Dispatches signed with the first of these keys (none: unsigned). */
  public CoordinatorConfig withSignatures(dev.wf.protocol.Signatures s) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        s,
        retention);
  }

  public CoordinatorConfig withRetention(java.time.Duration keep) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        partitions,
        replication,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        signatures,
        keep);
  }

  public CoordinatorConfig withPartitions(int n, short rf) {
    return new CoordinatorConfig(
        bootstrap,
        topics,
        n,
        rf,
        stateDir,
        commitIntervalMs,
        maxDefinitionBytes,
        limits,
        machine,
        clientProperties,
        agentTimeout,
        standbyReplicas,
        applicationServer,
        signatures,
        retention);
  }
}
