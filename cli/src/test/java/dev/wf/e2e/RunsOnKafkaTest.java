package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Behaviour a user notices, through a real broker, a real coordinator and a real agent. */
class RunsOnKafkaTest {
  static TestStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack();
    stack.agent("agent-1", "default");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void shouldRunAWorkflowSubmittedAsPlainJsonByAnyKafkaClient() throws Exception {
    String json =
        """
        {"type":"submit","runId":"plain-1","inputs":{"who":"kcat"},
         "definition":{"name":"Plain","type":"sequential","inputs":{"who":"nobody"},"steps":[
           {"name":"Hello","action":{"kind":"shell","command":"echo \\"{\\\\\\"hello\\\\\\":\\\\\\"$WHO\\\\\\"}\\"","env":{"WHO":"${{ inputs.who }}"}}}]}}
        """;
    // The only thing beyond plain JSON: the submitter's signature, in two record headers.
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            p,
            new StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      producer
          .send(
              dev.wf.protocol.trust.Signed.record(
                  stack.topics().intake(),
                  "plain-1",
                  json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                  dev.wf.protocol.trust.Signed.Purpose.INTAKE,
                  stack.keys().submitter(),
                  System.currentTimeMillis()))
          .get(10, TimeUnit.SECONDS);
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "dashboard-" + System.nanoTime());
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(stack.topics().results()));
      String result = null;
      long deadline = System.currentTimeMillis() + 30_000;
      while (result == null && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          if ("plain-1".equals(r.key())) {
            result = r.value();
          }
        }
      }
      assertThat(result).as("a result on " + stack.topics().results()).isNotNull();
      var tree = Json.MAPPER.readTree(result);
      assertThat(tree.get("status").asText()).isEqualTo("success");
      assertThat(tree.get("steps").get(0).get("result").get("hello").asText()).isEqualTo("kcat");
    }
  }

  @Test
  void shouldKillTheWholeProcessTreeOfATimedOutAction() throws Exception {
    Path pids = stack.dir().resolve("timeout-pids");
    String runId =
        stack.submitYaml(
            """
            name: Slow
            type: sequential
            steps:
              - name: Hang
                timeout: 1500ms
                action:
                  kind: shell
                  command: 'sleep 300 & echo $! > "$1"; echo $$ >> "$1"; wait'
                  args: ["%s"]
            """
                .formatted(pids));
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.success()).isFalse();
    assertThat(SeedShape.step(r, "Hang").status()).isEqualTo(StepStatus.TIMEOUT);
    assertThat(SeedShape.step(r, "Hang").error()).startsWith("timed out after 1500ms");
    assertThat(r.errors()).hasSize(1);
    assertGone(readPids(pids));
  }

  @Test
  void shouldCancelARunningSiblingWhenAParallelStepFails() throws Exception {
    Path pids = stack.dir().resolve("failfast-pids");
    String runId =
        stack.submitYaml(
            """
            name: FailFast
            type: parallel
            steps:
              - name: Long
                action: { kind: shell, command: 'echo $$ > "$1"; exec sleep 60', args: ["%s"] }
              - name: Breaks
                action: { kind: shell, command: 'sleep 1; echo broken >&2; exit 3' }
            """
                .formatted(pids));
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(SeedShape.step(r, "Breaks").status()).isEqualTo(StepStatus.FAILED);
    assertThat(SeedShape.step(r, "Breaks").error()).isEqualTo("exit 3: broken");
    assertThat(SeedShape.step(r, "Long").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(r.duration()).as("the run did not wait for the 60 s sleep").isLessThan(20_000);
    assertThat(r.errors()).extracting(e -> e.step()).containsExactly("Breaks");
    assertGone(readPids(pids));
  }

  @Test
  void shouldRefuseToStartOnStepEventsAndRunTopicsPartitionedDifferently() throws Exception {
    dev.wf.protocol.Topics t = new dev.wf.protocol.Topics("mismatch" + System.nanoTime() + ".");
    java.util.Properties p = new java.util.Properties();
    p.put("bootstrap.servers", stack.bootstrap());
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(p)) {
      admin
          .createTopics(
              List.of(
                  new org.apache.kafka.clients.admin.NewTopic(t.stepEvents(), 2, (short) 1),
                  new org.apache.kafka.clients.admin.NewTopic(
                      t.prefix() + "coordinator-runs", 1, (short) 1)))
          .all()
          .get();
    }
    var config =
        dev.wf.coordinator.kafka.CoordinatorConfig.defaults(
                stack.bootstrap(), stack.dir().resolve("mismatch"))
            .withTopics(t);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> dev.wf.coordinator.kafka.Coordinator.start(config))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "topic "
                + t.stepEvents()
                + " has 2 partitions and "
                + t.prefix()
                + "coordinator-runs has 1; they must have the same number (both are keyed by run id)");
  }

  @Test
  void shouldNeverRunMoreActionsAtOnceThanTheAgentAllows() throws Exception {
    stack.agent("narrow", c -> c.withMaxConcurrent(2), "narrow");
    Path log = stack.dir().resolve("overlap.log");
    StringBuilder yaml =
        new StringBuilder(
            "name: Wide On Narrow\ntype: parallel\nagent: { pool: narrow }\nsteps:\n");
    for (int i = 0; i < 6; i++) {
      yaml.append("  - name: S")
          .append(i)
          .append(
              "\n    action: { kind: shell, command: 'echo + >> \"$1\"; sleep 0.4; echo - >> \"$1\"', args: [\"")
          .append(log)
          .append("\"] }\n");
    }
    WorkflowResult r = stack.awaitResult(stack.submitYaml(yaml.toString()), Duration.ofSeconds(60));
    assertThat(r.success()).isTrue();
    int running = 0;
    int most = 0;
    for (String line : Files.readAllLines(log)) {
      running += line.equals("+") ? 1 : -1;
      most = Math.max(most, running);
    }
    assertThat(most).as("actions at once on an agent of max 2").isEqualTo(2);
  }

  @Test
  void shouldRetryAFlakyActionToSuccess() throws Exception {
    Path counter = stack.dir().resolve("flaky-count");
    String runId =
        stack.submitYaml(
            """
            name: Flaky
            type: sequential
            steps:
              - name: Sometimes
                retries: 3
                backoff: { initial: 100ms }
                action:
                  kind: shell
                  command: 'n=$(cat "$1" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$1"; [ $n -ge 3 ] || { echo "try $n failed" >&2; exit 1; }; echo "{\\"tries\\":$n,\\"attempt\\":$WF_ATTEMPT}"'
                  args: ["%s"]
            """
                .formatted(counter));
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.success()).isTrue();
    var step = SeedShape.step(r, "Sometimes");
    assertThat(step.retries()).isEqualTo(2);
    assertThat(step.result().get("tries").asInt()).isEqualTo(3);
    assertThat(step.result().get("attempt").asInt()).isEqualTo(3);
    List<WorkflowEvent> retries =
        stack.events(runId).stream().filter(e -> e.type() == EventType.STEP_RETRY).toList();
    assertThat(retries)
        .as("the attempt that failed, as the seed numbers its retries")
        .extracting(WorkflowEvent::attempt)
        .containsExactly(1, 2);
    assertThat(retries.get(0).error()).isEqualTo("exit 1: try 1 failed");
    assertThat(retries).extracting(WorkflowEvent::delay).containsExactly(100L, 200L);
  }

  @Test
  void shouldCancelARunAndKillWhatRuns() throws Exception {
    Path pids = stack.dir().resolve("cancel-pids");
    String runId =
        stack.submitYaml(
            """
            name: Cancellable
            type: sequential
            steps:
              - name: Sleep
                action: { kind: shell, command: 'echo $$ > "$1"; sleep 60', args: ["%s"] }
              - name: Never
                action: { kind: noop }
            """
                .formatted(pids));
    stack.awaitEvent(
        runId,
        e -> e.type() == EventType.STEP_START && "Sleep".equals(e.step()),
        Duration.ofSeconds(20));
    long deadline = System.currentTimeMillis() + 20_000;
    while (readPids(pids).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    long t0 = System.currentTimeMillis();
    stack.cancel(runId);
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(System.currentTimeMillis() - t0).as("cancelled within seconds").isLessThan(10_000);
    assertThat(SeedShape.step(r, "Sleep").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(r.steps()).extracting(s -> s.name()).doesNotContain("Never");
    assertGone(readPids(pids));
  }

  @Test
  void shouldRejectBadIntakeRecordsAndKeepRunningOthers() {
    stack.send("bad-1", "{not json".getBytes(StandardCharsets.UTF_8));
    stack.send("bad-2", "{\"type\":\"launch\"}".getBytes(StandardCharsets.UTF_8));
    stack.send(
        "bad-3",
        Json.write(
            Map.of("type", "submit", "definition", Map.of("name", "X", "steps", List.of()))));
    WorkflowEvent e1 =
        stack.awaitEvent(
            "bad-1", e -> e.type() == EventType.WORKFLOW_REJECTED, Duration.ofSeconds(20));
    assertThat(e1.reason()).startsWith("malformed JSON");
    WorkflowEvent e2 =
        stack.awaitEvent(
            "bad-2", e -> e.type() == EventType.WORKFLOW_REJECTED, Duration.ofSeconds(20));
    assertThat(e2.reason()).contains("unknown message type \"launch\"");
    WorkflowEvent e3 =
        stack.awaitEvent(
            "bad-3", e -> e.type() == EventType.WORKFLOW_REJECTED, Duration.ofSeconds(20));
    assertThat(e3.reason()).contains("steps: a group needs at least one step");
    var dl = stack.awaitDeadLetter(rec -> "bad-1".equals(rec.key()), Duration.ofSeconds(20));
    assertThat(new String(dl.headers().lastHeader("wf.reason").value(), StandardCharsets.UTF_8))
        .startsWith("malformed JSON");
    String ok = stack.submitYaml("{ name: After, action: { kind: noop } }");
    assertThat(stack.awaitResult(ok, Duration.ofSeconds(20)).success()).isTrue();
  }

  @Test
  void shouldAcknowledgeTheSameSubmissionTwiceAsADuplicate() {
    String runId = stack.submitYaml("{ name: Once, action: { kind: sleep, duration: 200ms } }");
    var def =
        dev.wf.protocol.definition.DefinitionReader.parse(
                "{ name: Once, action: { kind: noop } }", false)
            .tree();
    stack.send(
        runId, Json.write(new dev.wf.protocol.message.IntakeMessage.Submit(runId, def, Map.of())));
    WorkflowEvent dup =
        stack.awaitEvent(
            runId, e -> e.type() == EventType.WORKFLOW_DUPLICATE, Duration.ofSeconds(20));
    assertThat(dup.reason()).contains("exists");
    assertThat(stack.awaitResult(runId, Duration.ofSeconds(20)).success()).isTrue();
    assertThat(stack.events(runId))
        .filteredOn(e -> e.type() == EventType.WORKFLOW_START)
        .hasSize(1);
  }

  /** Killed processes are reaped asynchronously: give them a few seconds, no more. */
  static void assertGone(List<Long> pids) throws InterruptedException {
    assertThat(pids).as("the action wrote its pids").isNotEmpty();
    long deadline = System.currentTimeMillis() + 5_000;
    List<Long> alive = pids;
    while (!alive.isEmpty() && System.currentTimeMillis() < deadline) {
      alive =
          pids.stream()
              .filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
              .toList();
      Thread.sleep(20);
    }
    assertThat(alive).as("processes still alive 5 s after the step ended").isEmpty();
  }

  private static List<Long> readPids(Path file) throws IOException {
    if (!Files.exists(file)) {
      return List.of();
    }
    return Files.readAllLines(file).stream()
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(Long::parseLong)
        .toList();
  }
}
