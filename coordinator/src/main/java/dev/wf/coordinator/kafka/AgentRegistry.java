package dev.wf.coordinator.kafka;

import dev.wf.protocol.Topics;
import dev.wf.protocol.kafka.Topic;
import dev.wf.protocol.kafka.TypedTopics;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Verifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's view of which agents are alive: it reads the agents topic (heartbeats, keyed by
 * agent id) and notes when it last heard from each, by its own clock, so that clock skew between
 * hosts does not matter. An agent is dead when it has been silent for the liveness timeout (or
 * three of its heartbeat intervals, whichever is longer), or when it said goodbye (a tombstone).
 */
public final class AgentRegistry implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  /** What is known of one agent. */
  public record Seen(AgentHeartbeat heartbeat, long lastSeen, boolean gone) {}

  private final Map<String, Seen> agents = new ConcurrentHashMap<>();
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private final Duration timeout;
  private final LongSupplier clock;
  private final long startedAt;
  private final CoordinatorTrust trust;
  private final Map<String, Long> lastSignedAt = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong ignored =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean caughtUp;
  private volatile boolean closed;

  public AgentRegistry(
      String bootstrap,
      Topics topics,
      Map<String, String> props,
      Duration timeout,
      LongSupplier clock,
      CoordinatorTrust trust) {
    this.trust = trust;
    this.timeout = timeout;
    this.clock = clock;
    this.startedAt = clock.getAsLong();
    Properties p = new Properties();
    p.putAll(props);
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "wf-coordinator-agents");
    // Bytes, decoded here: a bad heartbeat is skipped, where a value deserializer would stop poll.
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(() -> read(new TypedTopics(topics).agents()), "wf-agent-registry");
    thread.setDaemon(true);
    thread.start();
  }

  private void read(Topic<String, AgentHeartbeat> heartbeats) {
    String topic = heartbeats.name();
    try {
      List<TopicPartition> parts = new ArrayList<>();
      while (parts.isEmpty() && !closed) {
        consumer
            .partitionsFor(topic, Duration.ofSeconds(10))
            .forEach(pi -> parts.add(new TopicPartition(topic, pi.partition())));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      Map<TopicPartition, Long> end = consumer.endOffsets(parts);
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          seen(heartbeats, r);
        }
        if (!caughtUp
            && end.entrySet().stream()
                .allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
          caughtUp = true;
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.error("agent registry stopped reading {}: {}", topic, e.toString());
      }
    } finally {
      consumer.close();
    }
  }

  private void seen(Topic<String, AgentHeartbeat> heartbeats, ConsumerRecord<String, byte[]> r) {
    if (r.key() == null) {
      return;
    }
    if (trust.trust() != null && !genuine(r)) {
      return;
    }
    long now = clock.getAsLong();
    if (r.value() == null) {
      Seen before = agents.get(r.key());
      agents.put(r.key(), new Seen(before == null ? null : before.heartbeat(), now, true));
      if (caughtUp && before != null && !before.gone()) {
        LOG.info("agent {} left", r.key());
      }
      return;
    }
    try {
      AgentHeartbeat hb = heartbeats.read(r.value());
      if (!r.key().equals(hb.agent())) {
        LOG.warn("ignored a heartbeat keyed {} that names agent {}", r.key(), hb.agent());
        return;
      }
      Seen before = agents.put(r.key(), new Seen(hb, now, false));
      if (caughtUp && (before == null || before.gone())) {
        LOG.info("agent {} on {} joined, pools {}", hb.agent(), hb.host(), hb.pools());
      }
    } catch (RuntimeException e) {
      LOG.warn("unreadable heartbeat from {}: {}", r.key(), e.getMessage());
    }
  }

  /**
   * True when the record is signed by the agent it is about, and newer than the last one of it: a
   * forged goodbye would have the coordinator run a live agent's steps a second time, and a
   * replayed heartbeat would keep a dead agent alive.
   */
  private boolean genuine(ConsumerRecord<String, byte[]> r) {
    Verifier.Check c =
        trust.trust().agentKeys().check(Signed.Purpose.AGENT, r.key(), r.value(), r.headers());
    String problem =
        c.ok() ? trust.mayReport(c.verified().signer(), r.key(), null).orElse(null) : c.problem();
    if (problem == null) {
      Long last = lastSignedAt.get(r.key());
      if (last != null && c.verified().signedAt() <= last) {
        problem = "older than the last record of that agent (a replay)";
      }
    }
    if (problem != null) {
      ignored.incrementAndGet();
      if (caughtUp) {
        LOG.warn(
            "ignored a {} for agent {} on {}: {}",
            r.value() == null ? "goodbye" : "heartbeat",
            r.key(),
            r.topic(),
            problem);
      }
      return false;
    }
    lastSignedAt.put(r.key(), c.verified().signedAt());
    return true;
  }

  /** How many records of the agents topic were ignored as not their agent's (forged, replayed). */
  public long ignored() {
    return ignored.get();
  }

  /** True once the topic's history has been read, so that silence means something. */
  public boolean caughtUp() {
    return caughtUp;
  }

  /** Agents that are dead now (silent too long, or gone). */
  public Set<String> dead() {
    long now = clock.getAsLong();
    return agents.entrySet().stream()
        .filter(e -> isDead(e.getValue(), now))
        .map(Map.Entry::getKey)
        .collect(Collectors.toSet());
  }

  /** True when {@code agent} is dead, or unknown though the registry has been up a full timeout. */
  public boolean isDead(String agent) {
    Seen s = agents.get(agent);
    long now = clock.getAsLong();
    if (s == null) {
      return caughtUp && now - startedAt > timeout.toMillis();
    }
    return isDead(s, now);
  }

  private boolean isDead(Seen s, long now) {
    if (s.gone()) {
      return true;
    }
    long interval = s.heartbeat() == null ? 0 : s.heartbeat().intervalMs();
    return now - s.lastSeen() > Math.max(timeout.toMillis(), 3 * interval);
  }

  /** Why {@code agent} counts as dead, for the step:lost event. */
  public String why(String agent) {
    Seen s = agents.get(agent);
    if (s == null) {
      return "agent " + agent + " is unknown (no heartbeat since the coordinator started)";
    }
    if (s.gone()) {
      return "agent " + agent + " left";
    }
    return "agent "
        + agent
        + " stopped heartbeating (silent for "
        + (clock.getAsLong() - s.lastSeen()) / 1000
        + " s)";
  }

  /** Agents alive now, with their last heartbeat. */
  public List<Seen> live() {
    long now = clock.getAsLong();
    return agents.values().stream().filter(s -> !isDead(s, now) && s.heartbeat() != null).toList();
  }

  @Override
  public void close() {
    closed = true;
    consumer.wakeup();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
