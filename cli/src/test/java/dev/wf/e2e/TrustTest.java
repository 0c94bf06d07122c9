package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Attacks by someone who can write one topic (the intake, the step events, the agents topic) or who
 * holds a key trusted with less, against a secure coordinator and agents on a real broker. Each
 * attack is refused, and the runs it aims at end as they would have.
 */
class TrustTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static TestStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack();
    stack.agent("worker-1", "default", "build");
    stack.agent("worker-2", "default", "build");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** The coordinator's count of refused records of a kind ({@code wf_untrusted_total}). */
  private static double untrusted(String record) {
    return stack
        .coordinator()
        .meters()
        .get("wf.untrusted")
        .tag("record", record)
        .meter()
        .measure()
        .iterator()
        .next()
        .getValue();
  }

  private static String reason(ConsumerRecord<String, byte[]> deadLetter) {
    return new String(deadLetter.headers().lastHeader("wf.reason").value(), StandardCharsets.UTF_8);
  }

  private static ProducerRecord<String, byte[]> intake(
      String runId, IntakeMessage m, Signer by, long at) {
    return Signed.record(
        stack.topics().intake(), runId, Json.write(m), Signed.Purpose.INTAKE, by, at);
  }

  private static com.fasterxml.jackson.databind.JsonNode yaml(String text) {
    return dev.wf.protocol.definition.DefinitionReader.parse(text, false).tree();
  }

  @Test
  void shouldRefuseAnUnsignedSubmissionAndSayNothingOnThatRun() {
    double before = untrusted("intake");
    String runId = "unsigned-" + UUID.randomUUID();
    stack.sendRecord(
        intake(
            runId,
            new IntakeMessage.Submit(
                runId, yaml("{ name: Sneaky, action: { kind: noop } }"), Map.of()),
            null,
            System.currentTimeMillis()));
    ConsumerRecord<String, byte[]> dl =
        stack.awaitDeadLetter(r -> reason(r).contains("(record key " + runId + ")"), WAIT);
    assertThat(reason(dl)).startsWith("intake record unsigned");
    assertThat(stack.eventsToEnd(runId)).as("no event on the run it names").isEmpty();
    assertThat(untrusted("intake")).as("counted for operators").isGreaterThan(before);
  }

  @Test
  void shouldRefuseASubmissionSignedByAKeyItDoesNotTrust() throws Exception {
    String runId = "stranger-" + UUID.randomUUID();
    Signer stranger = Signer.fromFile("tester", stack.keys().extra("stranger"));
    stack.sendRecord(
        intake(
            runId,
            new IntakeMessage.Submit(
                runId, yaml("{ name: Sneaky, action: { kind: noop } }"), Map.of()),
            stranger,
            System.currentTimeMillis()));
    ConsumerRecord<String, byte[]> dl =
        stack.awaitDeadLetter(r -> reason(r).contains("(record key " + runId + ")"), WAIT);
    assertThat(reason(dl)).contains("forged or altered");
    assertThat(stack.eventsToEnd(runId)).isEmpty();
  }

  @Test
  void shouldRefuseAGenuineSubmissionReplayedLongAfterItWasSigned() {
    String runId = "replayed-" + UUID.randomUUID();
    long elevenMinutesAgo = System.currentTimeMillis() - Duration.ofMinutes(11).toMillis();
    stack.sendRecord(
        intake(
            runId,
            new IntakeMessage.Submit(
                runId, yaml("{ name: Old, action: { kind: noop } }"), Map.of()),
            stack.keys().submitter(),
            elevenMinutesAgo));
    ConsumerRecord<String, byte[]> dl =
        stack.awaitDeadLetter(r -> reason(r).contains("(record key " + runId + ")"), WAIT);
    assertThat(reason(dl)).contains("signed by tester 660 s ago").contains("a replay");
  }

  @Test
  void shouldLetASubmitterUseOnlyThePoolsItIsTrustedWith() throws Exception {
    Signer builder = Signer.fromFile("builder", stack.keys().key("builder"));
    String allowed = "builder-ok-" + UUID.randomUUID();
    String denied = "builder-no-" + UUID.randomUUID();
    long now = System.currentTimeMillis();
    stack.sendRecord(
        intake(
            allowed,
            new IntakeMessage.Submit(
                allowed,
                yaml("{ name: Build, agent: { pool: build }, action: { kind: noop } }"),
                Map.of()),
            builder,
            now));
    stack.sendRecord(
        intake(
            denied,
            new IntakeMessage.Submit(
                denied,
                yaml(
                    "{ name: Sneak, type: sequential, steps: [ { name: B, agent: { pool: build },"
                        + " action: { kind: noop } }, { name: D, action: { kind: noop } } ] }"),
                Map.of()),
            builder,
            now));
    assertThat(stack.awaitResult(allowed, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
    WorkflowEvent rejected =
        stack.awaitEvent(denied, e -> e.type() == EventType.WORKFLOW_REJECTED, WAIT);
    assertThat(rejected.reason()).isEqualTo("submitter builder may not use pool(s) [default]");
  }

  @Test
  void shouldNotLetASubmitterCancelARunOnPoolsItIsNotTrustedWith() throws Exception {
    Path gate = stack.dir().resolve("gate-" + UUID.randomUUID());
    String runId =
        stack.submitYaml(
            "{ name: Guarded, action: { kind: shell, command: 'while [ ! -f "
                + gate
                + " ]; do sleep 0.1; done; echo {}' } }");
    stack.awaitEvent(runId, e -> e.type() == EventType.STEP_START, WAIT);
    Signer builder = Signer.fromFile("builder", stack.keys().key("builder"));
    stack.sendRecord(
        intake(
            runId,
            new IntakeMessage.Cancel(runId, "hostile"),
            builder,
            System.currentTimeMillis()));
    ConsumerRecord<String, byte[]> dl =
        stack.awaitDeadLetter(
            r -> runId.equals(r.key()) && reason(r).startsWith("cancel refused"), WAIT);
    assertThat(reason(dl))
        .isEqualTo("cancel refused: submitter builder may not use pool(s) [default]");
    Files.writeString(gate, "");
    assertThat(stack.awaitResult(runId, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
  }

  @Test
  void shouldNotFinishAStepOnAReportItsAgentDidNotSign() throws Exception {
    Path gate = stack.dir().resolve("gate-" + UUID.randomUUID());
    String runId =
        stack.submitYaml(
            "{ name: Slow, action: { kind: shell, command: 'while [ ! -f "
                + gate
                + " ]; do sleep 0.1; done; echo {\\\"real\\\":true}' } }");
    // Once an agent holds the attempt (the coordinator has its Started report), nobody else may
    // end it: not a writer without a key, not a key of another pool, not another agent's name.
    String holder =
        stack
            .awaitView(runId, v -> !v.steps().isEmpty() && v.steps().get(0).agent() != null, WAIT)
            .steps()
            .get(0)
            .agent();
    String dispatchId = "1:Slow";
    double before = untrusted("report");
    var forged =
        new StepReport.Finished(
            runId,
            dispatchId,
            1,
            holder,
            System.currentTimeMillis(),
            AttemptStatus.SUCCESS,
            Json.MAPPER.readTree("{\"forged\":true}"),
            null);
    byte[] value = Json.write(forged);
    String topic = stack.topics().stepEvents();
    long now = System.currentTimeMillis();
    // 1. unsigned; 2. signed with a key trusted only for another pool; 3. signed by the fleet key
    //    but in the name of another agent than the one holding the attempt.
    stack.sendRecord(Signed.record(topic, runId, value, Signed.Purpose.REPORT, null, now));
    stack.sendRecord(
        Signed.record(
            topic,
            runId,
            value,
            Signed.Purpose.REPORT,
            Signer.fromFile("outsider", stack.keys().key("outsider")),
            now));
    var otherAgent =
        new StepReport.Finished(
            runId, dispatchId, 1, "intruder", now, AttemptStatus.FAILED, null, "forged failure");
    stack.sendRecord(
        Signed.record(
            topic,
            runId,
            Json.write(otherAgent),
            Signed.Purpose.REPORT,
            Signer.fromFile("agents", stack.keys().key("agents")),
            now));
    assertThat(
            reason(
                stack.awaitDeadLetter(
                    r -> runId.equals(r.key()) && reason(r).contains("unsigned"), WAIT)))
        .isEqualTo("step event refused: unsigned (claims to be from agent " + holder + ")");
    assertThat(
            reason(
                stack.awaitDeadLetter(
                    r -> runId.equals(r.key()) && reason(r).contains("outsider"), WAIT)))
        .isEqualTo(
            "step event refused: agent key outsider may not report on steps of pool default");
    assertThat(untrusted("report")).isGreaterThanOrEqualTo(before + 2);
    Files.writeString(gate, "");
    WorkflowResult r = stack.awaitResult(runId, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(r.steps().get(0).result().get("real").asBoolean()).isTrue();
    assertThat(r.steps().get(0).agent()).isEqualTo(holder);
  }

  @Test
  void shouldIgnoreAForgedGoodbyeOfALiveAgent() throws Exception {
    // An agent that heartbeats rarely: a goodbye taken for its own would leave it dead for 20 s,
    // and its attempt would be dispatched again.
    stack.agent(
        "slow-beat",
        c -> c.withTimings(Duration.ofSeconds(20), Duration.ofSeconds(2), Duration.ofSeconds(5)),
        "held");
    Path gate = stack.dir().resolve("gate-" + UUID.randomUUID());
    String runId =
        stack.submitYaml(
            "{ name: Held, agent: { pool: held }, action: { kind: shell, command: 'while [ ! -f "
                + gate
                + " ]; do sleep 0.1; done; echo {}' } }");
    stack.awaitEvent(runId, e -> e.type() == EventType.STEP_START, WAIT);
    var registry = stack.coordinator().agents();
    long ignoredBefore = registry.ignored();
    String agents = stack.topics().agents();
    long now = System.currentTimeMillis();
    // A tombstone unsigned, one signed by a key the coordinator does not trust, and a genuine but
    // old heartbeat (replayed) saying the agent is stopping.
    stack.sendRecord(Signed.record(agents, "slow-beat", null, Signed.Purpose.AGENT, null, now));
    stack.sendRecord(
        Signed.record(
            agents,
            "slow-beat",
            null,
            Signed.Purpose.AGENT,
            Signer.fromFile("stranger-agent", stack.keys().extra("stranger-agent")),
            now));
    byte[] old =
        Json.write(
            new AgentHeartbeat("slow-beat", "h", List.of("held"), 1, List.of(), 0, 1, 500, true));
    stack.sendRecord(
        Signed.record(
            agents,
            "slow-beat",
            old,
            Signed.Purpose.AGENT,
            Signer.fromFile("agents", stack.keys().key("agents")),
            1));
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (registry.ignored() < ignoredBefore + 3 && System.currentTimeMillis() < deadline) {
      Thread.sleep(20); // the registry reads the agents topic on a thread of its own
    }
    assertThat(registry.ignored()).as("all three ignored").isEqualTo(ignoredBefore + 3);
    assertThat(untrusted("agent")).isEqualTo((double) registry.ignored());
    assertThat(registry.isDead("slow-beat")).as("the agent still counts as alive").isFalse();
    Files.writeString(gate, "");
    WorkflowResult r = stack.awaitResult(runId, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(stack.eventsOfEnded(runId))
        .extracting(WorkflowEvent::type)
        .doesNotContain(EventType.STEP_LOST)
        .containsOnlyOnce(EventType.STEP_START);
  }

  @Test
  void shouldNeverRunAGenuineDispatchTwiceWhenItIsReplayedAfterTheAgentRestarted()
      throws Exception {
    stack.agent("replay-agent", "replay");
    Path ran = stack.dir().resolve("ran-" + UUID.randomUUID());
    String runId =
        stack.submitYaml(
            "{ name: Once, agent: { pool: replay }, action: { kind: shell, command: 'echo x >> "
                + ran
                + "; echo {}' } }");
    assertThat(stack.awaitResult(runId, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
    ConsumerRecord<String, byte[]> genuine = stack.dispatchOf("replay", runId);
    // The agent restarts (same id, same work directory), then someone who can write the pool's
    // topic (or who reset the group's offsets) hands it the genuine, still unexpired record again.
    stack.restartAgent("replay-agent", "replay");
    stack.sendRecord(
        new ProducerRecord<>(
            genuine.topic(), null, genuine.key(), genuine.value(), genuine.headers()));
    stack.awaitPoolConsumed("replay");
    assertThat(Files.readAllLines(ran)).as("the command ran once").hasSize(1);
  }

  @Test
  void shouldRejectARunWhosePoolsTopicCollidesWithAnotherPoolsAndGoOn() {
    String first =
        stack.submitYaml("{ name: Dotted, agent: { pool: team.a }, action: { kind: noop } }");
    stack.awaitEvent(first, e -> e.type() == EventType.STEP_START, WAIT);
    String second =
        stack.submitYaml("{ name: Underscored, agent: { pool: team_a }, action: { kind: noop } }");
    String other = stack.submitYaml("{ name: Other, action: { kind: noop } }");
    WorkflowEvent rejected =
        stack.awaitEvent(second, e -> e.type() == EventType.WORKFLOW_REJECTED, WAIT);
    assertThat(rejected.reason()).contains("Kafka will not make topic").contains("team_a");
    assertThat(stack.awaitResult(other, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
    stack.cancel(first);
    assertThat(stack.awaitResult(first, WAIT).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void shouldFailAStepWhoseExpressionWouldBuildGigabytesAndGoOn() {
    var def =
        yaml(
            """
            name: Hostile
            type: sequential
            inputs: { big: "", many: [] }
            steps:
              - name: Blow Up
                action:
                  kind: shell
                  command: 'echo {}'
                  env: { X: "${{ inputs.many.map(x, inputs.big + inputs.big) }}" }
            """);
    var inputs =
        Map.<String, com.fasterxml.jackson.databind.JsonNode>of(
            "big",
            com.fasterxml.jackson.databind.node.TextNode.valueOf("x".repeat(300_000)),
            "many",
            Json.MAPPER.valueToTree(java.util.Collections.nCopies(1000, 1)));
    String hostile = stack.submit(def, inputs);
    String other = stack.submitYaml("{ name: Bystander, action: { kind: noop } }");
    WorkflowResult r = stack.awaitResult(hostile, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.steps().get(0).error())
        .startsWith("template: ")
        .contains("builds more than 4194304 characters or list elements");
    assertThat(stack.awaitResult(other, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
  }
}
