package dev.wf.coordinator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The coordinator's topology, record in, records out, with time moved by the test. */
class CoordinatorTopologyTest {
  static final java.security.KeyPair KEYS = dev.wf.protocol.trust.Keys.generate();
  final Topics topics = Topics.DEFAULT;
  final Set<String> ensuredPools = new HashSet<>();
  TopologyTestDriver driver;
  final CoordinatorMetrics metrics =
      new CoordinatorMetrics(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
  TestInputTopic<String, byte[]> intake;
  TestInputTopic<String, byte[]> stepEvents;
  TestOutputTopic<String, byte[]> events;
  TestOutputTopic<String, byte[]> results;
  TestOutputTopic<String, byte[]> deadLetters;
  TestOutputTopic<String, byte[]> dispatches;

  @BeforeEach
  void start() throws IOException {
    CoordinatorConfig config =
        CoordinatorConfig.defaults("unused:9092", Files.createTempDirectory("wf-ttd-"))
            .withTrust(
                new CoordinatorTrust(
                    new dev.wf.protocol.trust.Signer("coordinator", KEYS.getPrivate()),
                    null,
                    Duration.ofMinutes(10),
                    Set.of()))
            .withRetention(Duration.ofHours(1));
    Properties p = Coordinator.streamsProperties(config);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver =
        new TopologyTestDriver(
            // one partition: every intake record is on its run's partition and handled in place
            Coordinator.topology(config, 1, ensuredPools::addAll, null, metrics),
            p,
            Instant.parse("2026-11-25T10:00:00Z"));
    intake =
        driver.createInputTopic(topics.intake(), new StringSerializer(), new ByteArraySerializer());
    stepEvents =
        driver.createInputTopic(
            topics.stepEvents(), new StringSerializer(), new ByteArraySerializer());
    events =
        driver.createOutputTopic(
            topics.events(), new StringDeserializer(), new ByteArrayDeserializer());
    results =
        driver.createOutputTopic(
            topics.results(), new StringDeserializer(), new ByteArrayDeserializer());
    deadLetters =
        driver.createOutputTopic(
            topics.deadLetter(), new StringDeserializer(), new ByteArrayDeserializer());
    dispatches =
        driver.createOutputTopic(
            topics.dispatch("build"), new StringDeserializer(), new ByteArrayDeserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  private void submit(String runId, String yaml) {
    intake.pipeInput(
        runId,
        Json.write(
            new IntakeMessage.Submit(runId, DefinitionReader.parse(yaml, false).tree(), Map.of())));
  }

  private List<WorkflowEvent> readEvents() throws IOException {
    List<WorkflowEvent> out = new ArrayList<>();
    for (byte[] v : events.readValuesToList()) {
      out.add(Json.read(v, WorkflowEvent.class));
    }
    return out;
  }

  private static final String BUILD =
      "{ name: Build, agent: { pool: build }, startTimeout: 1m, action: { kind: noop } }";

  @Test
  void shouldSendASignedDispatchToThePoolsTopicWhenARunIsSubmitted() throws IOException {
    submit("r1", BUILD);
    assertThat(ensuredPools).containsExactly("build");
    TestRecord<String, byte[]> d = dispatches.readRecord();
    assertThat(d.key()).isEqualTo("r1");
    assertThat(
            dev.wf.protocol.trust.Verifier.of("coordinator", KEYS.getPublic())
                .check(dev.wf.protocol.trust.Signed.Purpose.DISPATCH, "r1", d.value(), d.headers())
                .ok())
        .as("signed by the coordinator's key")
        .isTrue();
    assertThat(Json.read(d.value(), Dispatch.class).path()).isEqualTo("Build");
    assertThat(readEvents())
        .extracting(e -> e.type())
        .containsExactly(EventType.WORKFLOW_START, EventType.STEP_START);
  }

  @Test
  void shouldPublishTheResultWhenTheAgentReportsTheEnd() throws IOException {
    submit("r1", BUILD);
    Dispatch d = Json.read(dispatches.readValue(), Dispatch.class);
    stepEvents.pipeInput(
        "r1", Json.write(new StepReport.Started("r1", d.dispatchId(), 1, "a1", 0)));
    stepEvents.pipeInput(
        "r1",
        Json.write(
            new StepReport.Finished(
                "r1",
                d.dispatchId(),
                1,
                "a1",
                0,
                AttemptStatus.SUCCESS,
                Json.MAPPER.createObjectNode().put("ok", 1),
                null)));
    WorkflowResult r = Json.read(results.readValue(), WorkflowResult.class);
    assertThat(r.success()).isTrue();
    assertThat(r.steps().get(0).agent()).isEqualTo("a1");
    assertThat(readEvents())
        .extracting(e -> e.type())
        .endsWith(EventType.STEP_COMPLETE, EventType.WORKFLOW_COMPLETE);
  }

  @Test
  void shouldDeadLetterMalformedIntakeWithItsReasonAndRejectTheRun() throws IOException {
    intake.pipeInput("bad", "{oops".getBytes(StandardCharsets.UTF_8));
    TestRecord<String, byte[]> dl = deadLetters.readRecord();
    assertThat(new String(dl.headers().lastHeader("wf.reason").value(), StandardCharsets.UTF_8))
        .startsWith("malformed JSON");
    assertThat(readEvents())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(EventType.WORKFLOW_REJECTED);
              assertThat(e.runId()).isEqualTo("bad");
            });
    assertThat(metrics.registry().get("wf.dead.letters").counter().count())
        .as("a refusal at the triage counts as a dead letter")
        .isEqualTo(1.0);
  }

  @Test
  void shouldRejectASubmitWhoseKeyAndRunIdDiffer() throws IOException {
    intake.pipeInput(
        "k",
        Json.write(
            new IntakeMessage.Submit(
                "other", DefinitionReader.parse(BUILD, false).tree(), Map.of())));
    assertThat(readEvents().get(0).reason()).contains("differ");
    assertThat(dispatches.isEmpty()).isTrue();
  }

  @Test
  void shouldRejectAnInvalidDefinitionListingItsProblems() throws IOException {
    intake.pipeInput(
        "r2",
        "{\"type\":\"submit\",\"definition\":{\"name\":\"X\",\"steps\":[{\"name\":\"A\",\"action\":{\"kind\":\"shel\"}}]}}"
            .getBytes(StandardCharsets.UTF_8));
    WorkflowEvent e = readEvents().get(0);
    assertThat(e.type()).isEqualTo(EventType.WORKFLOW_REJECTED);
    assertThat(e.reason())
        .contains("steps[0].action.kind: unknown action kind \"shel\" (did you mean 'shell'?)");
    assertThat(deadLetters.isEmpty()).isFalse();
  }

  @Test
  void shouldFailAStepNoAgentStartsWhenItsStartTimeoutPasses() throws IOException {
    submit("r1", BUILD);
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    WorkflowResult r = Json.read(results.readValue(), WorkflowResult.class);
    assertThat(r.errors().get(0).message())
        .isEqualTo("no agent of pool \"build\" started the step within 1m");
  }

  @Test
  void shouldAnswerADuplicateUntilTheRetentionHasPassed() throws IOException {
    submit("r1", BUILD);
    driver.advanceWallClockTime(Duration.ofSeconds(61));
    assertThat(results.readValue()).isNotNull();
    submit("r1", BUILD);
    assertThat(readEvents()).extracting(e -> e.type()).contains(EventType.WORKFLOW_DUPLICATE);
    driver.advanceWallClockTime(Duration.ofHours(1));
    submit("r1", BUILD);
    assertThat(readEvents())
        .extracting(e -> e.type())
        .containsExactly(EventType.WORKFLOW_START, EventType.STEP_START);
  }

  @Test
  void shouldDeadLetterAStepEventForAnUnknownRun() {
    stepEvents.pipeInput("ghost", Json.write(new StepReport.Started("ghost", "1:X", 1, "a1", 0)));
    assertThat(
            new String(
                deadLetters.readRecord().headers().lastHeader("wf.reason").value(),
                StandardCharsets.UTF_8))
        .isEqualTo("step event for unknown run ghost");
  }

  /** The store as a run's submission left it before typed keys and codecs: the layout on disk. */
  private static final Map<String, String> STORED_BEFORE =
      Map.of(
          "d\u0001r1",
          "{\"name\":\"Root\",\"type\":\"sequential\",\"steps\":[{\"name\":\"Flaky\",\"agent\":"
              + "{\"pool\":\"build\"},\"action\":{\"kind\":\"noop\"},\"retries\":3,\"timeout\":\"10s\"},"
              + "{\"name\":\"B\",\"agent\":{\"pool\":\"build\"},\"startTimeout\":\"1m\","
              + "\"action\":{\"kind\":\"noop\"}}]}",
          "i\u0001r1\u0000start|1:Root.sequential[0]",
          "1795601400000",
          "r\u0001r1",
          "{\"runId\":\"r1\",\"name\":\"Root\",\"status\":\"running\",\"startedAt\":1795600800000,"
              + "\"nextDispatch\":1}",
          "s\u0001r1\u0000Root",
          "{\"path\":\"Root\",\"phase\":\"RUNNING\",\"startedAt\":1795600800000,"
              + "\"iterationStartedAt\":1795600800000,\"nextChild\":1}",
          "s\u0001r1\u0000Root.sequential[0]",
          "{\"path\":\"Root.sequential[0]\",\"phase\":\"WAITING\",\"startedAt\":1795600800000,"
              + "\"dispatchId\":\"1:Root.sequential[0]\",\"attempt\":1}",
          "t\u0001001795601400000\u0000r1\u0000start|1:Root.sequential[0]",
          "");

  @Test
  void shouldCarryOnARunFromTheStateItsStoreAlreadyHolds() throws IOException {
    KeyValueStore<String, byte[]> store = driver.getKeyValueStore(Keyspace.STORE);
    STORED_BEFORE.forEach((k, v) -> store.put(k, v.getBytes(StandardCharsets.UTF_8)));
    String first = "1:Root.sequential[0]";
    stepEvents.pipeInput("r1", Json.write(new StepReport.Started("r1", first, 1, "a1", 0)));
    assertThat(store.get("t\u0001001795601400000\u0000r1\u0000start|" + first))
        .as("the start timer, found through its index, is cleared")
        .isNull();
    assertThat(store.get("a\u0001a1\u0000r1\u0000" + first)).isEmpty();
    stepEvents.pipeInput(
        "r1",
        Json.write(
            new StepReport.Finished("r1", first, 1, "a1", 0, AttemptStatus.SUCCESS, null, null)));
    Dispatch next = Json.read(dispatches.readValue(), Dispatch.class);
    assertThat(next.dispatchId()).isEqualTo("2:Root.sequential[1]");
    assertThat(
            new String(
                store.get("i\u0001r1\u0000start|2:Root.sequential[1]"), StandardCharsets.UTF_8))
        .isEqualTo("1795600860000");
    assertThat(store.get("t\u0001001795600860000\u0000r1\u0000start|2:Root.sequential[1]"))
        .isEmpty();
    assertThat(readEvents())
        .extracting(e -> e.type())
        .containsExactly(EventType.STEP_COMPLETE, EventType.STEP_START);
  }
}
