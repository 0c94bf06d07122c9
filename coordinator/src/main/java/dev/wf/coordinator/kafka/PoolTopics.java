package dev.wf.coordinator.kafka;

import dev.wf.protocol.Topics;
import dev.wf.protocol.kafka.TopicAdmin;
import java.util.Collection;

/**
 * Makes sure the dispatch topic of every pool a run names exists, with at least the coordinator's
 * partition count, before anything is sent to it.
 */
final class PoolTopics {
  private final TopicAdmin admin;
  private final Topics topics;
  private final int partitions;
  private final short replication;

  PoolTopics(TopicAdmin admin, Topics topics, int partitions, short replication) {
    this.admin = admin;
    this.topics = topics;
    this.partitions = partitions;
    this.replication = replication;
  }

  void ensure(Collection<String> pools) {
    admin.ensureAtLeast(
        pools.stream()
            .map(
                p ->
                    new TopicAdmin.Spec(
                        topics.dispatch(p), partitions, replication, TopicAdmin.LARGE))
            .toList());
  }
}
