package dev.wf.protocol.kafka;

import dev.wf.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the topics wf needs, once each, and remembers which exist (coordinator and agents). */
public final class TopicAdmin implements AutoCloseable {
  /** The topic config of topics that may carry large records (a 10,000-step result). */
  public static final Map<String, String> LARGE =
      Map.of("max.message.bytes", Integer.toString(Topics.MAX_RECORD_BYTES));

  private final Admin admin;
  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final Set<String> grown = ConcurrentHashMap.newKeySet();

  public TopicAdmin(String bootstrap, Map<String, String> clientProperties) {
    Properties p = new Properties();
    p.putAll(clientProperties);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    this.admin = Admin.create(p);
  }

  /**
   * A topic to create: name, partitions, replication and topic configs (0 or less: the broker's
   * default).
   */
  public record Spec(String name, int partitions, short replication, Map<String, String> configs) {}

  /**
   * Creates the topics that do not exist yet; returns when they do.
   *
   * @throws IllegalStateException when the cluster does not answer in time
   */
  public void ensure(List<Spec> specs) {
    List<NewTopic> missing = new ArrayList<>();
    for (Spec s : specs) {
      if (!known.contains(s.name())) {
        missing.add(
            new NewTopic(
                    s.name(),
                    s.partitions() > 0 ? Optional.of(s.partitions()) : Optional.empty(),
                    s.replication() > 0 ? Optional.of(s.replication()) : Optional.empty())
                .configs(s.configs()));
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    var result = admin.createTopics(missing);
    for (NewTopic t : missing) {
      try {
        await(result.values().get(t.name()), "create", t.name());
        known.add(t.name());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof org.apache.kafka.common.errors.InvalidTopicException bad) {
          throw new IllegalArgumentException(
              "Kafka will not make topic " + t.name() + ": " + bad.getMessage());
        }
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw failed("create", t.name(), e);
        }
        known.add(t.name());
      }
    }
  }

  public void ensure(Spec spec) {
    ensure(List.of(spec));
  }

  /**
   * Like {@link #ensure}, and grows an existing topic that has fewer partitions than asked. Only
   * for topics whose records need no key-to-partition stability (dispatch topics): whoever created
   * one first (an agent that started before any run named its pool), the pool can still be shared
   * by as many agents as the coordinator's partition count.
   */
  public void ensureAtLeast(List<Spec> specs) {
    List<Spec> fresh = specs.stream().filter(s -> !grown.contains(s.name())).toList();
    ensure(fresh);
    for (Spec s : fresh) {
      if (s.partitions() > partitions(s.name())) {
        try {
          await(
              admin
                  .createPartitions(Map.of(s.name(), NewPartitions.increaseTo(s.partitions())))
                  .all(),
              "grow",
              s.name());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof InvalidPartitionsException)) {
            throw failed("grow", s.name(), e);
          }
          // another coordinator instance grew it first
        }
      }
      grown.add(s.name());
    }
  }

  /**
   * The partition count of {@code topic}. Just after a topic is made, a broker of a cluster may not
   * know it yet: that answer is retried for up to 30 s.
   *
   * @throws IllegalStateException when the cluster does not answer in time
   */
  public int partitions(String topic) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        return await(admin.describeTopics(List.of(topic)).allTopicNames(), "describe", topic)
            .get(topic)
            .partitions()
            .size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)
            || System.nanoTime() > deadline) {
          throw failed("describe", topic, e);
        }
      }
      try {
        Thread.sleep(200); // the topic's metadata is still spreading to the brokers
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting to describe topic " + topic, e);
      }
    }
  }

  /**
   * The answer of {@code f}, within 30 s; the cluster's refusal is left to the caller, which knows
   * the ones it expects.
   *
   * @throws ExecutionException when the cluster refused ({@code doing} {@code topic})
   * @throws IllegalStateException when it did not answer in time, or the wait was interrupted
   */
  private static <T> T await(KafkaFuture<T> f, String doing, String topic)
      throws ExecutionException {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the Kafka cluster did not " + doing + " topic " + topic + " within 30 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while waiting to " + doing + " topic " + topic, e);
    }
  }

  private static IllegalStateException failed(String doing, String topic, ExecutionException e) {
    return new IllegalStateException(
        "cannot " + doing + " topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
  }

  public Admin admin() {
    return admin;
  }

  @Override
  public void close() {
    admin.close(java.time.Duration.ofSeconds(5));
  }
}
