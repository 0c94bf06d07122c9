package dev.wf.cli;

import dev.wf.protocol.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Kafka connection settings and clients shared by the commands. */
final class Kafka {
  private Kafka() {}

  /** {@code --bootstrap}, else {@code WF_BOOTSTRAP}, else null (use the embedded broker). */
  static String bootstrap(String flag) {
    if (flag != null && !flag.isBlank()) {
      return flag;
    }
    String env = System.getenv("WF_BOOTSTRAP");
    return env == null || env.isBlank() ? null : env;
  }

  /**
   * Client properties from {@code --kafka-config FILE} or {@code WF_KAFKA_CONFIG} (TLS, SASL...).
   */
  static Map<String, String> clientProperties(Path file) {
    Path f = file;
    if (f == null) {
      String env = System.getenv("WF_KAFKA_CONFIG");
      f = env == null || env.isBlank() ? null : Path.of(env);
    }
    Map<String, String> out = new HashMap<>();
    if (f == null) {
      return out;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(f)) {
      p.load(in);
    } catch (IOException e) {
      throw new UserError(
          Main.INVALID, "cannot read Kafka client properties " + f + ": " + e.getMessage());
    }
    p.forEach((k, v) -> out.put(k.toString(), v.toString()));
    return out;
  }

  /** Fails with exit code 3 and one clear line when the cluster does not answer. */
  static void checkReachable(String bootstrap, Map<String, String> props, long timeoutMs) {
    Properties p = new Properties();
    p.putAll(props);
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs));
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new UserError(
          Main.UNREACHABLE,
          "the Kafka cluster at "
              + bootstrap
              + " did not answer within "
              + timeoutMs / 1000
              + " s");
    }
  }

  /**
   * A producer of the CLI's records: written by every replica before they count, sent at once, as
   * large as the topics take.
   */
  static KafkaProducer<String, byte[]> writer(String bootstrap, Map<String, String> props) {
    Properties p = new Properties();
    p.putAll(props);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * A consumer of committed records outside any group: the CLI assigns itself the partitions it
   * reads and never commits offsets.
   */
  static KafkaConsumer<String, byte[]> reader(
      String bootstrap, Map<String, String> props, int fetchMaxWaitMs) {
    Properties c = new Properties();
    c.putAll(props);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, Integer.toString(fetchMaxWaitMs));
    c.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * Assigns {@code consumer} every partition of {@code topic} at its end as of now, so that it sees
   * all that is written afterwards and nothing before.
   */
  static void assignFromEnd(KafkaConsumer<?, ?> consumer, String topic) {
    List<TopicPartition> parts = new ArrayList<>();
    consumer
        .partitionsFor(topic, Duration.ofSeconds(15))
        .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    parts.forEach(consumer::position); // fix the positions now, before anything is written
  }
}
