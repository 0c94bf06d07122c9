package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.MachineConfig;
import dev.wf.protocol.Topics;
import dev.wf.protocol.config.RecordCopy;
import dev.wf.protocol.definition.WorkflowValidator;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param commitIntervalMs Kafka Streams' commit interval, the longest time between commits under
 *     steady load (under exactly-once a dispatch is visible to agents only once committed; a quiet
 *     coordinator commits as soon as its input runs dry, see RunProcessor)
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
    Duration agentTimeout,
    int standbyReplicas,
    String applicationServer,
    CoordinatorTrust trust,
    Duration retention) {
  public CoordinatorConfig {
    Objects.requireNonNull(bootstrap, "bootstrap");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(trust, "trust (CoordinatorTrust.insecure() for none)");
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
        Topics.DEFAULT_PARTITIONS,
        (short) 1,
        stateDir,
        10,
        1024 * 1024,
        WorkflowValidator.Limits.DEFAULT,
        MachineConfig.DEFAULT,
        Map.of(),
        Duration.ofSeconds(10),
        1,
        null,
        CoordinatorTrust.insecure(),
        Duration.ofDays(7));
  }

  public CoordinatorConfig withTopics(Topics t) {
    return RecordCopy.of(this).with("topics", t).build();
  }

  public CoordinatorConfig withCommitInterval(long ms) {
    return RecordCopy.of(this).with("commitIntervalMs", ms).build();
  }

  public CoordinatorConfig withClientProperties(Map<String, String> props) {
    return RecordCopy.of(this).with("clientProperties", props).build();
  }

  public CoordinatorConfig withMachine(MachineConfig m, Duration agentSilence) {
    return RecordCopy.of(this).with("machine", m).with("agentTimeout", agentSilence).build();
  }

  public CoordinatorConfig withLimits(int maxBytes, WorkflowValidator.Limits l, int standbys) {
    return RecordCopy.of(this)
        .with("maxDefinitionBytes", maxBytes)
        .with("limits", l)
        .with("standbyReplicas", standbys)
        .build();
  }

  /** {@code host:port} where this instance's HTTP API answers, for queries of other instances. */
  public CoordinatorConfig withApplicationServer(String hostPort) {
    return RecordCopy.of(this).with("applicationServer", hostPort).build();
  }

  /** The key dispatches are signed with, and who may submit and report. */
  public CoordinatorConfig withTrust(CoordinatorTrust t) {
    return RecordCopy.of(this).with("trust", t).build();
  }

  public CoordinatorConfig withRetention(Duration keep) {
    return RecordCopy.of(this).with("retention", keep).build();
  }

  public CoordinatorConfig withPartitions(int n, short rf) {
    return RecordCopy.of(this).with("partitions", n).with("replication", rf).build();
  }
}
