package dev.wf.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * A real multi-node Kafka cluster (KRaft, every node broker and controller) in this JVM, for
 * failure tests: replication 3 and min.insync 2 by default, so one node can stop without loss.
 */
public final class EmbeddedCluster implements AutoCloseable {
  private final List<KafkaRaftServer> nodes = new ArrayList<>();
  private final List<Boolean> up = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();

  private EmbeddedCluster() {}

  /** Starts {@code size} nodes under {@code dir}; returns when all take produce requests. */
  public static EmbeddedCluster start(Path dir, int size) {
    EmbeddedCluster c = new EmbeddedCluster();
    try {
      List<Integer> controllerPorts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        c.ports.add(EmbeddedBroker.freePort());
        controllerPorts.add(EmbeddedBroker.freePort());
      }
      String voters =
          java.util.stream.IntStream.range(0, size)
              .mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts.get(i))
              .collect(Collectors.joining(","));
      String clusterId = Uuid.randomUuid().toString();
      int rf = Math.min(3, size);
      List<CompletableFuture<KafkaRaftServer>> starting = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Path logDir = dir.resolve("node-" + (i + 1));
        Files.createDirectories(logDir);
        Properties p =
            EmbeddedBroker.config(logDir, "localhost", c.ports.get(i), controllerPorts.get(i));
        p.put("node.id", Integer.toString(i + 1));
        p.put("controller.quorum.voters", voters);
        p.put("offsets.topic.replication.factor", Integer.toString(rf));
        p.put("transaction.state.log.replication.factor", Integer.toString(rf));
        p.put("transaction.state.log.min.isr", Integer.toString(Math.max(1, rf - 1)));
        p.put("default.replication.factor", Integer.toString(rf));
        p.put("min.insync.replicas", Integer.toString(Math.max(1, rf - 1)));
        p.put("share.coordinator.state.topic.replication.factor", Integer.toString(rf));
        p.put("share.coordinator.state.topic.min.isr", Integer.toString(Math.max(1, rf - 1)));
        // A stop is abrupt (no leadership handed over first), as when a host dies; it also keeps
        // the last nodes from waiting minutes for a controller quorum that is gone.
        p.put("controlled.shutdown.enable", "false");
        EmbeddedBroker.format(logDir, i + 1, clusterId);
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
        c.nodes.add(server);
        c.up.add(true);
        // the nodes wait for a quorum of each other: start them together
        starting.add(
            CompletableFuture.supplyAsync(
                () -> {
                  server.startup();
                  return server;
                }));
      }
      CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrap() {
    List<String> live = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      live.add("localhost:" + ports.get(i));
    }
    return String.join(",", live);
  }

  /** Stops node {@code index} (0-based), as its host going down would. */
  public synchronized void stop(int index) {
    if (up.get(index)) {
      up.set(index, false);
      nodes.get(index).shutdown();
      nodes.get(index).awaitShutdown();
    }
  }

  @Override
  public void close() {
    List<CompletableFuture<Void>> stopping = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      int n = i;
      stopping.add(CompletableFuture.runAsync(() -> stop(n)));
    }
    CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new)).join();
  }
}
