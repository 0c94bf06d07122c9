package dev.wf.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, broker and controller in one) running inside this
 * JVM, with its log under a data folder so that a restart keeps its history.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final KafkaRaftServer server;
  private final String bootstrap;
  private final Path dataDir;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private EmbeddedBroker(
      KafkaRaftServer server, String bootstrap, Path dataDir, FileChannel ch, FileLock lock) {
    this.server = server;
    this.bootstrap = bootstrap;
    this.dataDir = dataDir;
    this.lockChannel = ch;
    this.lock = lock;
  }

  /** Thrown when another process already runs a broker on the data folder. */
  public static final class DataDirInUseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DataDirInUseException(Path dir) {
      super("another process runs a broker on " + dir);
    }
  }

  /**
   * Starts a broker on {@code dataDir}, listening on {@code port} (0 picks a free one) and
   * advertising {@code host}. Returns when the broker takes produce requests.
   *
   * @throws DataDirInUseException when another process holds the folder
   */
  public static EmbeddedBroker start(Path dataDir, int port, String host) {
    try {
      Files.createDirectories(dataDir);
      FileChannel ch =
          FileChannel.open(
              dataDir.resolve("wf-broker.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        ch.close();
        throw new DataDirInUseException(dataDir);
      }
      int brokerPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      Path logDir = dataDir.resolve("kafka-logs");
      Properties p = config(logDir, host, brokerPort, controllerPort);
      KafkaConfig config = KafkaConfig.fromProps(p, false);
      if (!Files.exists(logDir.resolve("meta.properties"))) {
        format(logDir, 1, Uuid.randomUuid().toString());
      }
      long t0 = System.nanoTime();
      KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      String bootstrap = host + ":" + brokerPort;
      LOG.debug("broker up at {} in {} ms", bootstrap, (System.nanoTime() - t0) / 1_000_000);
      Files.writeString(dataDir.resolve("bootstrap"), bootstrap + "\n");
      return new EmbeddedBroker(server, bootstrap, dataDir, ch, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use " + dataDir + ": " + e.getMessage(), e);
    }
  }

  static Properties config(Path logDir, String host, int port, int controllerPort) {
    Properties p = new Properties();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    String bindHost =
        "localhost".equals(host) || "127.0.0.1".equals(host) ? "127.0.0.1" : "0.0.0.0";
    p.put(
        "listeners",
        "PLAINTEXT://" + bindHost + ":" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://" + host + ":" + port);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("log.dirs", logDir.toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    p.put("message.max.bytes", Integer.toString(16 * 1024 * 1024));
    p.put("log.retention.hours", "168");
    p.put("log.segment.bytes", Integer.toString(64 * 1024 * 1024));
    return p;
  }

  static void format(Path logDir, int nodeId, String clusterId) throws IOException {
    Files.createDirectories(logDir);
    try {
      new Formatter()
          .setPrintStream(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()))
          .setNodeId(nodeId)
          .setClusterId(clusterId)
          .setDirectories(List.of(logDir.toString()))
          .setMetadataLogDirectory(logDir.toString())
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .run();
    } catch (Exception e) {
      throw new IOException("cannot format " + logDir + ": " + e.getMessage(), e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }

  public String bootstrap() {
    return bootstrap;
  }

  public Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        LOG.debug("releasing the broker lock: {}", e.toString());
      }
    }
  }
}
