package dev.wf.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.agent.Agent;
import dev.wf.agent.AgentConfig;
import dev.wf.coordinator.kafka.Coordinator;
import dev.wf.coordinator.kafka.CoordinatorConfig;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A coordinator and agents on the shared test broker, under a topic prefix of their own so that
 * test classes never see each other's records. Reads topics as any Kafka client would.
 */
public final class TestStack implements AutoCloseable {
  private final String bootstrap;
  private final Topics topics;
  private final Path dir;
  private final Coordinator coordinator;
  private final TestKeys keys;
  private final dev.wf.coordinator.kafka.RunQueries queries;
  private final List<Agent> agents = new ArrayList<>();
  private final KafkaProducer<String, byte[]> producer;
  private final List<ConsumerRecord<String, byte[]>> events = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> results = new ArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> deadLetters = new ArrayList<>();
  private KafkaConsumer<String, byte[]> reader;

  /** A coordinator in this JVM, agents added with {@link #agent}. */
  public TestStack() throws IOException, InterruptedException {
    this(true);
  }

  /**
   * With {@code inProcess} false, only the client side: the test starts the coordinator and the
   * agents as processes of their own, under {@link #topics()}.
   */
  public TestStack(boolean inProcess) throws IOException, InterruptedException {
    this(inProcess, c -> c);
  }

  /** A coordinator in this JVM, configured by {@code tune}. */
  public TestStack(java.util.function.UnaryOperator<CoordinatorConfig> tune)
      throws IOException, InterruptedException {
    this(true, tune);
  }

  private TestStack(boolean inProcess, java.util.function.UnaryOperator<CoordinatorConfig> tune)
      throws IOException, InterruptedException {
    this(TestKafka.bootstrap(), inProcess, tune);
  }

  /** Only the client side, on the cluster at {@code bootstrap}. */
  public static TestStack clientOnly(String bootstrap, Topics topics)
      throws IOException, InterruptedException {
    return new TestStack(bootstrap, topics, false, c -> c, null);
  }

  /** Only the client side, signing with {@code keys} (those its coordinator trusts). */
  public static TestStack clientOnly(String bootstrap, Topics topics, TestKeys keys)
      throws IOException, InterruptedException {
    return new TestStack(bootstrap, topics, false, c -> c, keys);
  }

  /** On the cluster at {@code bootstrap}. */
  public TestStack(String bootstrap, java.util.function.UnaryOperator<CoordinatorConfig> tune)
      throws IOException, InterruptedException {
    this(bootstrap, true, tune);
  }

  private TestStack(
      String bootstrap, boolean inProcess, java.util.function.UnaryOperator<CoordinatorConfig> tune)
      throws IOException, InterruptedException {
    this(
        bootstrap,
        new Topics("t" + UUID.randomUUID().toString().substring(0, 8) + "."),
        inProcess,
        tune,
        null);
  }

  private TestStack(
      String bootstrap,
      Topics topics,
      boolean inProcess,
      java.util.function.UnaryOperator<CoordinatorConfig> tune,
      TestKeys given)
      throws IOException, InterruptedException {
    this.bootstrap = bootstrap;
    this.topics = topics;
    this.dir = Files.createTempDirectory("wf-e2e-");
    this.keys = given != null ? given : TestKeys.in(dir.resolve("keys"));
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    if (!inProcess) {
      this.coordinator = null;
      this.queries = null;
      return;
    }
    CoordinatorConfig cc =
        tune.apply(
            CoordinatorConfig.defaults(bootstrap, dir.resolve("state"))
                .withTopics(topics)
                .withTrust(keys.coordinatorTrust())
                .withPartitions(2, (short) 1));
    this.coordinator = Coordinator.start(cc);
    this.queries = new dev.wf.coordinator.kafka.RunQueries(coordinator.streams(), cc);
    if (!coordinator.awaitRunning(Duration.ofSeconds(60))) {
      throw new IllegalStateException("coordinator did not start");
    }
  }

  /**
   * Waits until the in-process coordinator's own view of {@code runId} satisfies {@code test} (what
   * {@code GET /runs/ID} would answer), and returns it.
   */
  public WorkflowResult awaitView(String runId, Predicate<WorkflowResult> test, Duration timeout)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      Optional<WorkflowResult> r = queries.snapshot(runId, System.currentTimeMillis());
      if (r.isPresent() && test.test(r.get())) {
        return r.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError(
        "the coordinator's view of " + runId + " did not get there in " + timeout);
  }

  /** The coordinator in this JVM (null for a client-only stack). */
  public Coordinator coordinator() {
    return coordinator;
  }

  /** The submitter the stack's coordinator trusts, to sign intake records as a client would. */
  public dev.wf.protocol.trust.Signer submitter() {
    return keys.submitter();
  }

  public Topics topics() {
    return topics;
  }

  public String bootstrap() {
    return bootstrap;
  }

  public Path dir() {
    return dir;
  }

  public Agent agent(String id, String... pools) throws IOException {
    return agent(id, c -> c, pools);
  }

  public Agent agent(String id, java.util.function.UnaryOperator<AgentConfig> tune, String... pools)
      throws IOException {
    Path work = Files.createDirectories(dir.resolve("work-" + id));
    Agent a =
        Agent.start(
            tune.apply(
                AgentConfig.defaults(bootstrap, id, List.of(pools), work)
                    .withTopics(topics)
                    .withSecurity(List.of(), keys.agentKeys())
                    .withTimings(
                        Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(5))));
    agents.add(a);
    return a;
  }

  /**
   * A coordinator process on this stack's broker and topics, its state under {@code name}, with
   * {@code extra} options; its log goes to {@code logs/<name>.log}.
   */
  public Child coordinatorProcess(String name, String... extra) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "coordinator",
                "--bootstrap",
                bootstrap,
                "--topic-prefix",
                topics.prefix(),
                "--state-dir",
                dir.resolve(name).toString()));
    args.addAll(List.of(extra));
    if (!args.contains("--insecure") && !args.contains("--signing-key")) {
      args.addAll(keys.coordinatorArgs());
    }
    return Child.start(dir.resolve("logs/" + name + ".log"), args.toArray(String[]::new));
  }

  /** An agent process {@code id} on this stack's broker and topics, with {@code extra} options. */
  public Child agentProcess(String id, String... extra) throws IOException {
    return agentProcessIn(null, id, extra);
  }

  /** The same inside network namespace {@code netns} (null: this host's network). */
  public Child agentProcessIn(String netns, String id, String... extra) throws IOException {
    return agentProcessIn(netns, java.util.Map.of(), id, extra);
  }

  /** An agent process with {@code env} in its environment (its settings, as WF_* variables). */
  public Child agentProcessWithEnv(java.util.Map<String, String> env, String id, String... extra)
      throws IOException {
    return agentProcessIn(null, env, id, extra);
  }

  private Child agentProcessIn(
      String netns, java.util.Map<String, String> env, String id, String... extra)
      throws IOException {
    Path work = Files.createDirectories(dir.resolve("work-" + id));
    List<String> args =
        new ArrayList<>(
            List.of(
                "agent",
                "--bootstrap",
                bootstrap,
                "--topic-prefix",
                topics.prefix(),
                "--id",
                id,
                "--workdir",
                work.toString()));
    args.addAll(List.of(extra));
    if (!args.contains("--insecure") && !args.contains("--agent-key")) {
      args.addAll(keys.agentArgs());
    }
    return Child.startIn(
        netns, dir.resolve("logs/" + id + ".log"), env, args.toArray(String[]::new));
  }

  /** Submits a definition file with inputs; returns the run id. */
  public String submit(Path file, Map<String, JsonNode> inputs) {
    JsonNode def = DefinitionReader.read(file).tree();
    return submit(def, inputs);
  }

  public String submitYaml(String yaml) {
    return submit(DefinitionReader.parse(yaml, false).tree(), Map.of());
  }

  public String submit(JsonNode def, Map<String, JsonNode> inputs) {
    String runId = "r-" + UUID.randomUUID();
    send(runId, Json.write(new IntakeMessage.Submit(runId, def, inputs)));
    return runId;
  }

  public void cancel(String runId) {
    send(runId, Json.write(new IntakeMessage.Cancel(runId, "test")));
  }

  /** Writes raw bytes on the intake topic, signed by the stack's trusted submitter. */
  public void send(String key, byte[] value) {
    try {
      producer
          .send(
              Signed.record(
                  topics.intake(),
                  key,
                  value,
                  Signed.Purpose.INTAKE,
                  keys.submitter(),
                  System.currentTimeMillis()))
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes a record as it is, headers and all, as any client with access could. */
  public void sendRecord(ProducerRecord<String, byte[]> r) {
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The dispatch record of {@code runId} on the topic of {@code pool}, headers and all. */
  public ConsumerRecord<String, byte[]> dispatchOf(String pool, String runId) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> r =
        new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      r.partitionsFor(topics.dispatch(pool), Duration.ofSeconds(10))
          .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
      r.assign(parts);
      r.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 30_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : r.poll(Duration.ofMillis(200))) {
          if (runId.equals(rec.key())) {
            return rec;
          }
        }
      }
    }
    throw new AssertionError("no dispatch of " + runId + " on pool " + pool);
  }

  /** Stops the in-process agent {@code id} and starts it again, same id and work directory. */
  public Agent restartAgent(String id, String... pools) throws IOException {
    for (Agent a : List.copyOf(agents)) {
      if (a.id().equals(id)) {
        a.close();
        agents.remove(a);
      }
    }
    return agent(id, pools);
  }

  /**
   * Waits until the agents of {@code pool} have taken (and committed) every record on its topic.
   */
  public void awaitPoolConsumed(String pool) throws Exception {
    Properties p = new Properties();
    p.put(org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    String group = topics.prefix() + "agents." + pool;
    try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        var committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        var latest =
            admin
                .listOffsets(
                    committed.keySet().stream()
                        .collect(
                            java.util.stream.Collectors.toMap(
                                tp -> tp,
                                tp -> org.apache.kafka.clients.admin.OffsetSpec.latest())))
                .all()
                .get();
        boolean done =
            !committed.isEmpty()
                && committed.entrySet().stream()
                    .allMatch(
                        e ->
                            e.getValue() != null
                                && e.getValue().offset() >= latest.get(e.getKey()).offset());
        if (done) {
          return;
        }
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the agents of pool " + pool + " did not take every record in 60 s");
  }

  /** The stack's keys and trust file. */
  TestKeys keys() {
    return keys;
  }

  /** Writes raw bytes on any topic, as any client with access could. */
  public void sendTo(String topic, String key, byte[] value) {
    try {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes raw bytes with one header on any topic, as any client with access could. */
  public void sendTo(String topic, String key, byte[] value, String header, String headerValue) {
    ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
    r.headers().add(header, headerValue.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    try {
      producer.send(r).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the result of {@code runId} on the results topic. */
  public WorkflowResult awaitResult(String runId, Duration timeout) {
    ConsumerRecord<String, byte[]> r =
        await(results, rec -> runId.equals(rec.key()), timeout, "result of " + runId);
    try {
      return Json.read(r.value(), WorkflowResult.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for an event of {@code runId} that {@code test} accepts. */
  public WorkflowEvent awaitEvent(String runId, Predicate<WorkflowEvent> test, Duration timeout) {
    ConsumerRecord<String, byte[]> r =
        await(
            events,
            rec -> runId.equals(rec.key()) && test.test(event(rec)),
            timeout,
            "event of " + runId);
    return event(r);
  }

  public ConsumerRecord<String, byte[]> awaitDeadLetter(
      Predicate<ConsumerRecord<String, byte[]>> test, Duration timeout) {
    return await(deadLetters, test, timeout, "dead letter");
  }

  /**
   * Every event of an ended run: its result may come before its last events are read, so this waits
   * for its {@code workflow:complete} first.
   */
  public List<WorkflowEvent> eventsOfEnded(String runId) {
    awaitEvent(
        runId,
        e -> e.type() == dev.wf.protocol.event.EventType.WORKFLOW_COMPLETE,
        Duration.ofSeconds(60));
    return events(runId);
  }

  /** When the first event of {@code events} that {@code p} accepts happened, in epoch ms. */
  public static long at(List<WorkflowEvent> events, Predicate<WorkflowEvent> p) {
    return events.stream()
        .filter(p)
        .findFirst()
        .map(e -> java.time.Instant.parse(e.at()).toEpochMilli())
        .orElseThrow(() -> new AssertionError("no such event in " + events));
  }

  /** Every event of {@code runId} on the topic now: read to the end of every partition. */
  public synchronized List<WorkflowEvent> eventsToEnd(String runId) {
    poll(Duration.ZERO);
    Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment());
    long deadline = System.currentTimeMillis() + 30_000;
    while (end.entrySet().stream().anyMatch(e -> reader.position(e.getKey()) < e.getValue())) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("could not read to the end of the topics within 30 s");
      }
      poll(Duration.ofMillis(100));
    }
    return events(runId);
  }

  /** Every event of {@code runId} read so far, in order. */
  public synchronized List<WorkflowEvent> events(String runId) {
    poll(Duration.ZERO);
    return events.stream().filter(r -> runId.equals(r.key())).map(TestStack::event).toList();
  }

  private static WorkflowEvent event(ConsumerRecord<String, byte[]> r) {
    try {
      return Json.read(r.value(), WorkflowEvent.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private synchronized ConsumerRecord<String, byte[]> await(
      List<ConsumerRecord<String, byte[]>> from,
      Predicate<ConsumerRecord<String, byte[]>> test,
      Duration timeout,
      String what) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    int seen = 0;
    while (true) {
      for (; seen < from.size(); seen++) {
        if (test.test(from.get(seen))) {
          return from.get(seen);
        }
      }
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("no " + what + " within " + timeout);
      }
      poll(Duration.ofMillis(100));
    }
  }

  private void poll(Duration d) {
    if (reader == null) {
      Properties c = new Properties();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
      reader = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      for (String t : List.of(topics.events(), topics.results(), topics.deadLetter())) {
        reader
            .partitionsFor(t, Duration.ofSeconds(10))
            .forEach(pi -> parts.add(new TopicPartition(t, pi.partition())));
      }
      reader.assign(parts);
      reader.seekToBeginning(parts);
    }
    for (ConsumerRecord<String, byte[]> r : reader.poll(d)) {
      if (r.topic().equals(topics.events())) {
        events.add(r);
      } else if (r.topic().equals(topics.results())) {
        results.add(r);
      } else {
        deadLetters.add(r);
      }
    }
  }

  @Override
  public void close() {
    agents.forEach(Agent::close);
    if (coordinator != null) {
      coordinator.close();
    }
    producer.close();
    if (reader != null) {
      reader.close();
    }
  }
}
