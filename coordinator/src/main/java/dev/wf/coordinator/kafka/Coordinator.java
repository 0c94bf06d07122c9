package dev.wf.coordinator.kafka;

import dev.wf.protocol.Topics;
import dev.wf.protocol.kafka.TopicAdmin;
import dev.wf.protocol.kafka.TypedTopics;
import dev.wf.protocol.message.IntakeMessage;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The coordinator service: a Kafka Streams application around the workflow state machine. */
public final class Coordinator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final CoordinatorConfig config;
  private final TopicAdmin admin;
  private final AgentRegistry registry;
  private final PrometheusMeterRegistry meters =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final KafkaStreamsMetrics streamsMetrics;
  private final KafkaStreams streams;
  private final CountDownLatch running = new CountDownLatch(1);
  private volatile Throwable fatal;
  private KafkaProducer<String, byte[]> intakeProducer;

  private Coordinator(CoordinatorConfig config) {
    this.config = config;
    this.admin = new TopicAdmin(config.bootstrap(), config.clientProperties());
    int inPlacePartitions;
    try {
      inPlacePartitions = createTopics();
    } catch (RuntimeException e) {
      admin.close();
      throw e;
    }
    this.registry =
        new AgentRegistry(
            config.bootstrap(),
            config.topics(),
            config.clientProperties(),
            config.agentTimeout(),
            System::currentTimeMillis,
            config.trust());
    CoordinatorMetrics metrics = new CoordinatorMetrics(meters);
    metrics.agentRecordsIgnored(registry);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmGcMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    Topology topology =
        topology(
            config,
            inPlacePartitions,
            new PoolTopics(admin, config.topics(), config.partitions(), config.replication())
                ::ensure,
            registry,
            metrics);
    this.streams = new KafkaStreams(topology, streamsProperties(config));
    this.streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(meters);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) {
            running.countDown();
          }
          if (now == KafkaStreams.State.ERROR) {
            LOG.error("coordinator stopped on an error; see above");
          }
        });
    streams.setUncaughtExceptionHandler(
        e -> {
          fatal = e;
          LOG.error("coordinator stream thread failed: {}", e.toString());
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler
              .StreamThreadExceptionResponse.REPLACE_THREAD;
        });
  }

  /** Creates the topics and starts the service; returns at once (see {@link #awaitRunning}). */
  public static Coordinator start(CoordinatorConfig config) {
    Coordinator c = new Coordinator(config);
    c.streams.start();
    return c;
  }

  /** Waits until the coordinator has its partitions and processes records. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public KafkaStreams streams() {
    return streams;
  }

  public Throwable fatal() {
    return fatal;
  }

  /** The coordinator's metrics, in Prometheus' text format on {@code /metrics}. */
  public PrometheusMeterRegistry meters() {
    return meters;
  }

  /**
   * Hands {@code message} to the task that holds its run, as the API's caller (a holder of the API
   * token): written to the coordinator's own run topic, past the intake's signature check, marked
   * as from the API.
   *
   * @throws IllegalStateException when the broker does not take it in time
   */
  public synchronized void toIntake(IntakeMessage message) {
    if (intakeProducer == null) {
      Properties p = new Properties();
      p.putAll(config.clientProperties());
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
      p.put(ProducerConfig.ACKS_CONFIG, "all");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      intakeProducer =
          new KafkaProducer<>(
              p,
              new org.apache.kafka.common.serialization.StringSerializer(),
              new org.apache.kafka.common.serialization.ByteArraySerializer());
    }
    TypedTopics t = new TypedTopics(config.topics());
    try {
      intakeProducer
          .send(
              new ProducerRecord<>(
                  t.coordinatorRuns().name(),
                  null,
                  message.runId(),
                  t.coordinatorRuns().write(message),
                  List.of(
                      new org.apache.kafka.common.header.internals.RecordHeader(
                          CoordinatorTrust.SUBMITTER,
                          CoordinatorTrust.API.getBytes(StandardCharsets.UTF_8)))))
          .get(15, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing to the intake", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot write to the intake: " + e.getMessage(), e);
    }
  }

  public AgentRegistry agents() {
    return registry;
  }

  /**
   * Creates what is missing; returns the partition count of the intake topic when it equals the run
   * topic's (intake records on the right partition then skip the run topic), else 0.
   */
  private int createTopics() {
    Topics t = config.topics();
    int n = config.partitions();
    short rf = config.replication();
    Map<String, String> large = TopicAdmin.LARGE;
    Map<String, String> compactLarge = new HashMap<>(large);
    compactLarge.put("cleanup.policy", "compact");
    List<TopicAdmin.Spec> specs = new ArrayList<>();
    specs.add(new TopicAdmin.Spec(t.intake(), n, rf, large));
    specs.add(new TopicAdmin.Spec(t.stepEvents(), n, rf, large));
    specs.add(new TopicAdmin.Spec(t.coordinatorRuns(), n, rf, large));
    specs.add(new TopicAdmin.Spec(t.coordinatorKeys(), n, rf, Map.of()));
    specs.add(new TopicAdmin.Spec(t.events(), n, rf, large));
    specs.add(new TopicAdmin.Spec(t.results(), n, rf, compactLarge));
    specs.add(new TopicAdmin.Spec(t.agents(), 1, rf, Map.of("cleanup.policy", "compact")));
    specs.add(new TopicAdmin.Spec(t.agentControl(), 1, rf, Map.of()));
    specs.add(new TopicAdmin.Spec(t.deadLetter(), 1, rf, large));
    admin.ensure(specs);
    int runs = checkCoPartitioned(t.stepEvents(), t.coordinatorRuns());
    return admin.partitions(t.intake()) == runs ? runs : 0;
  }

  /** A run's step events and its intake records must meet in the same task; returns the count. */
  private int checkCoPartitioned(String a, String b) {
    int pa = admin.partitions(a);
    int pb = admin.partitions(b);
    if (pa != pb) {
      throw new IllegalStateException(
          "topic "
              + a
              + " has "
              + pa
              + " partitions and "
              + b
              + " has "
              + pb
              + "; they must have the same number (both are keyed by run id)");
    }
    return pa;
  }

  static Topology topology(
      CoordinatorConfig config,
      int inPlacePartitions,
      java.util.function.Consumer<java.util.Collection<String>> pools,
      AgentRegistry registry,
      CoordinatorMetrics metrics) {
    TypedTopics t = new TypedTopics(config.topics());
    // The processors read bytes and decode them through each topic's serde themselves, so that a
    // record that does not decode is refused with its reason instead of stopping the thread; they
    // write values, each encoded once by its topic's serde (see Outbox), and route them by header.
    TopicNameExtractor<String, byte[]> byHeader = (k, v, ctx) -> Routes.topicOf(ctx.headers());
    Topology topology = new Topology();
    topology.addSource(
        "intake", new StringDeserializer(), new ByteArrayDeserializer(), t.intake().name());
    topology.addProcessor(
        "triage",
        () ->
            new IntakeTriage(
                t, config.maxDefinitionBytes(), metrics, inPlacePartitions, config.trust()),
        "intake");
    topology.addSink(
        IntakeTriage.TO_RUNS,
        t.coordinatorRuns().name(),
        new StringSerializer(),
        new ByteArraySerializer(),
        "triage");
    topology.addSink(
        IntakeTriage.TO_OUT, byHeader, new StringSerializer(), new ByteArraySerializer(), "triage");

    topology.addSource(
        "runs-in",
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        t.coordinatorRuns().name(),
        t.stepEvents().name());
    topology.addProcessor(
        IntakeTriage.IN_PLACE,
        () -> new RunProcessor(config, pools, registry, metrics),
        "runs-in",
        "triage");
    topology.addSink(
        RunProcessor.TO_OUT, byHeader, new StringSerializer(), new ByteArraySerializer(), "runs");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(Keyspace.STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingEnabled(TopicAdmin.LARGE),
        "runs");

    topology.addSource(
        "keys-in",
        new StringDeserializer(),
        new ByteArrayDeserializer(),
        t.coordinatorKeys().name());
    topology.addProcessor("keys", () -> new KeyProcessor(t), "keys-in");
    topology.addSink(
        KeyProcessor.TO_OUT, byHeader, new StringSerializer(), new ByteArraySerializer(), "keys");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.persistentKeyValueStore(KeyProcessor.STORE),
                Serdes.String(),
                Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of()),
        "keys");
    return topology;
  }

  static Properties streamsProperties(CoordinatorConfig config) {
    Properties p = new Properties();
    p.putAll(config.clientProperties());
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.topics().coordinatorAppId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(
        StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterOnError.class.getName());
    p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, config.topics().deadLetter());
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(config.commitIntervalMs()));
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, "0");
    p.put(StreamsConfig.POLL_MS_CONFIG, "5");
    // Intake and step events need no ordering between them: never hold one back for the other.
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Short.toString(config.replication()));
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "0");
    // A write that meets the previous transaction still being completed on its partition is
    // retried; the default first backoff (100 ms) would then stall a step for a tenth of a second.
    p.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), "5");
    p.put(
        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
        Integer.toString(Topics.MAX_RECORD_BYTES));
    // The broker's smallest session timeout: a dead instance's runs move to the others soon.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), "6000");
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), "1500");
    p.put(
        StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG),
        Integer.toString(Topics.MAX_RECORD_BYTES));
    if (config.applicationServer() != null) {
      p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, config.applicationServer());
    }
    p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, Integer.toString(config.standbyReplicas()));
    return p;
  }

  @Override
  public void close() {
    // Leave the group on the way out: the partitions move at once, to another instance or to the
    // next start of this one, instead of after the session timeout.
    streams.close(
        org.apache.kafka.streams.CloseOptions.timeout(Duration.ofSeconds(30))
            .withGroupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
    synchronized (this) {
      if (intakeProducer != null) {
        intakeProducer.close(Duration.ofSeconds(5));
      }
    }
    streamsMetrics.close();
    registry.close();
    admin.close();
  }
}
