package dev.wf.cli;

import dev.wf.protocol.Topics;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** How a command reaches Kafka: shared by every command that talks to a cluster. */
final class ConnectionOptions {
  @Option(
      names = "--bootstrap",
      paramLabel = "HOST:PORT",
      defaultValue = "${env:WF_BOOTSTRAP}",
      description = "Kafka bootstrap servers (env WF_BOOTSTRAP).")
  String bootstrap;

  @Option(
      names = "--topic-prefix",
      paramLabel = "PREFIX",
      defaultValue = "${env:WF_TOPIC_PREFIX:-wf.}",
      description = "Prefix of every topic name (env WF_TOPIC_PREFIX, default ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      defaultValue = "${env:WF_KAFKA_CONFIG}",
      description = "Kafka client properties file: TLS, SASL... (env WF_KAFKA_CONFIG).")
  Path kafkaConfig;

  @Option(
      names = "--submitter-key",
      paramLabel = "FILE",
      defaultValue = "${env:WF_SUBMITTER_KEY}",
      description =
          "Sign what this command writes to the intake with this private key (env WF_SUBMITTER_KEY;"
              + " see wf keygen). A coordinator with a trust file takes only signed records.")
  Path submitterKey;

  @Option(
      names = "--submitter",
      paramLabel = "NAME",
      defaultValue = "${env:WF_SUBMITTER}",
      description =
          "The name the trust file knows the key by (env WF_SUBMITTER; default: the key file's"
              + " name without .key).")
  String submitter;

  /** Who signs intake records, or null when no key is given (the coordinator may refuse them). */
  dev.wf.protocol.trust.Signer submitterSigner() {
    return submitterKey == null ? null : Keyring.signer("--submitter-key", submitterKey, submitter);
  }

  Topics topics() {
    try {
      return new Topics(topicPrefix);
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, "--topic-prefix: " + e.getMessage());
    }
  }

  Map<String, String> clientProperties() {
    return Kafka.clientProperties(kafkaConfig);
  }

  /** The cluster to use; fails with a clear line when none is configured. */
  String requireBootstrap() {
    if (bootstrap == null || bootstrap.isBlank()) {
      throw new UserError(
          Main.INVALID,
          "no Kafka cluster: pass --bootstrap HOST:PORT or set WF_BOOTSTRAP (start one with `wf broker`)");
    }
    return bootstrap;
  }

  /**
   * For services: waits until the cluster answers, retrying with backoff (1 s doubling to 30 s) and
   * saying so in one line each time, rather than exiting and being restarted in a loop.
   */
  String awaitReachable(org.slf4j.Logger log) throws InterruptedException {
    String b = requireBootstrap();
    long delay = 1_000;
    while (true) {
      try {
        Kafka.checkReachable(b, clientProperties(), 10_000);
        return b;
      } catch (UserError e) {
        log.warn("Kafka at {} does not answer; trying again in {} s", b, delay / 1000);
        Thread.sleep(delay);
        delay = Math.min(30_000, delay * 2);
      }
    }
  }

  /** Checks that the cluster answers (exit 3 otherwise) and returns its address. */
  String reachable() {
    String b = requireBootstrap();
    Kafka.checkReachable(b, clientProperties(), 10_000);
    return b;
  }

  /**
   * A client of the cluster's intake and events topics; exit 3 when the cluster does not answer.
   */
  RunClient runClient() {
    return new RunClient(reachable(), topics(), clientProperties(), submitterSigner());
  }

  /** The events of run {@code runId} on the cluster; exit 3 when the cluster does not answer. */
  RunHistory history(String runId) {
    return new RunHistory(reachable(), topics(), clientProperties(), runId);
  }
}
