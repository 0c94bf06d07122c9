package dev.wf.cli;

import dev.wf.coordinator.kafka.CoordinatorConfig;
import java.util.Map;
import picocli.CommandLine.Option;

/** What wf bench may change in the coordinator's defaults, to measure a tuning. */
final class BenchTuning {
  @Option(
      names = "--commit-interval",
      paramLabel = "MS",
      description = "The coordinator's commit.interval.ms (default: the coordinator's).")
  Long commitInterval;

  @Option(
      names = "--streams-config",
      paramLabel = "KEY=VALUE",
      description = "A Kafka Streams property for the coordinator, to try a tuning (repeatable).")
  Map<String, String> streamsConfig;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      description = "Partitions of the coordinator's topics (default: the coordinator's).")
  Integer partitions;

  /** {@code config} with the options given applied. */
  CoordinatorConfig apply(CoordinatorConfig config) {
    CoordinatorConfig cc = config;
    if (streamsConfig != null) {
      cc = cc.withClientProperties(streamsConfig);
    }
    if (partitions != null) {
      cc = cc.withPartitions(partitions, (short) 1);
    }
    if (commitInterval != null) {
      cc = cc.withCommitInterval(commitInterval);
    }
    return cc;
  }
}
