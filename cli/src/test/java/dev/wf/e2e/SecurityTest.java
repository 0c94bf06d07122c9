package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may run what: signed dispatches, allowlists on agents, inputs that stay plain text. */
class SecurityTest {
  static TestStack stack;

  /** The coordinator's private key, as if stolen: only to make "genuine" dispatches to replay. */
  static Signer coordinator;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack();
    coordinator = Signer.fromFile("coordinator", stack.keys().key("coordinator"));
    stack.agent("signed", "default");
    stack.agent(
        "locked",
        c ->
            c.withAllowedKinds(Set.of("shell"))
                .withSecurity(List.of(Pattern.compile("echo .*")), c.keys()),
        "locked");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @Test
  void shouldRunSignedDispatches() {
    String runId =
        stack.submitYaml(
            "{ name: Signed, action: { kind: shell, command: 'echo {\\\"ok\\\":true}' } }");
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.success()).isTrue();
  }

  @Test
  void shouldRefuseAForgedDispatchAndSaySoInAnEvent() throws Exception {
    Path marker = stack.dir().resolve("pwned");
    stack.sendTo(stack.topics().dispatch("default"), "forged-run", evil("forged-run", marker));
    WorkflowEvent refused =
        stack.awaitEvent(
            "forged-run", e -> e.type() == EventType.DISPATCH_REFUSED, Duration.ofSeconds(30));
    assertThat(refused.agent()).isEqualTo("signed");
    assertThat(refused.reason()).isEqualTo("unsigned dispatch");
    assertThat(Files.exists(marker)).as("the forged command did not run").isFalse();
  }

  @Test
  void shouldNotLetAForgedDispatchNamingARealStepFailThatStep() throws Exception {
    // The victim waits for an agent of pool "later"; the attacker, who can write the dispatch
    // topic of pool "default", forges a record with the victim's run and dispatch ids there.
    String victim =
        stack.submitYaml("{ name: Victim, agent: { pool: later }, action: { kind: noop } }");
    stack.awaitEvent(victim, e -> e.type() == EventType.STEP_START, Duration.ofSeconds(30));
    Path marker = stack.dir().resolve("pwned-victim");
    stack.sendTo(
        stack.topics().dispatch("default"), victim, evil(victim, "1:Victim", "Victim", marker));
    WorkflowEvent refused =
        stack.awaitEvent(
            victim, e -> e.type() == EventType.DISPATCH_REFUSED, Duration.ofSeconds(30));
    assertThat(refused.reason()).isEqualTo("unsigned dispatch");
    stack.agent("later-agent", "later");
    WorkflowResult r = stack.awaitResult(victim, Duration.ofSeconds(60));
    assertThat(r.status()).as("the forgery failed nothing").isEqualTo(RunStatus.SUCCESS);
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void shouldShowNoKeyOfTheAgentToAStepThatPrintsItsEnvironment() throws Exception {
    // An agent process given its keys the usual way, by WF_* variables naming the key files, and
    // the API token in the environment; the step is a build step that would leak what it sees
    // to the events, where anyone reading them could then sign as this agent.
    TestKeys keys = stack.keys();
    try (Child agent =
        stack.agentProcessWithEnv(
            Map.of(
                "WF_AGENT_KEY",
                keys.key("agents").toString(),
                "WF_COORDINATOR_KEY",
                keys.pub("coordinator").toString(),
                "WF_HTTP_TOKEN",
                "api-token-0123"),
            "printer",
            "--pool",
            "printer")) {
      String runId =
          stack.submitYaml(
              "{ name: Leak, agent: { pool: printer }, action: { kind: shell, command: printenv"
                  + " } }");
      WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(60));
      assertThat(r.success()).as("the agent verified the dispatch with its keys").isTrue();
      String printed = r.steps().get(0).result().get("output").asText();
      assertThat(printed).contains("WF_RUN_ID=" + runId).contains("PATH=");
      assertThat(printed)
          .doesNotContain("api-token-0123")
          .doesNotContain("WF_AGENT_KEY")
          .doesNotContain(keys.key("agents").toString())
          .doesNotContain("PRIVATE KEY");
      String privateKey = Files.readString(keys.key("agents"));
      assertThat(printed).doesNotContain(privateKey.lines().skip(1).findFirst().orElseThrow());
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(keys.key("agents"))))
          .as("wf keygen makes a private key readable by its owner alone")
          .isEqualTo("rw-------");
      assertThat(agent.alive()).isTrue();
    }
  }

  @Test
  void shouldRefuseAGenuinelySignedDispatchCopiedToAnotherPoolsTopic() throws Exception {
    // Signed with the real key (as the coordinator signs) for pool "default", then replayed by
    // someone who can write the topic of pool "locked".
    Path marker = stack.dir().resolve("pwned-other-pool");
    byte[] value = evil("replayed-pool", "1:Evil", "Evil", marker, "default", null);
    stack.sendRecord(
        signed(stack.topics().dispatch("locked"), "replayed-pool", value, coordinator));
    WorkflowEvent refused =
        stack.awaitEvent(
            "replayed-pool", e -> e.type() == EventType.DISPATCH_REFUSED, Duration.ofSeconds(30));
    assertThat(refused.agent()).isEqualTo("locked");
    assertThat(refused.reason())
        .isEqualTo("a dispatch for pool \"default\" on the topic of pool \"locked\"");
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void shouldRefuseAGenuinelySignedDispatchReplayedAfterItExpired() throws Exception {
    Path marker = stack.dir().resolve("pwned-expired");
    byte[] value =
        evil("replayed-old", "1:Evil", "Evil", marker, "default", System.currentTimeMillis() - 1);
    assertThat(refusal("replayed-old", value, coordinator, marker))
        .isEqualTo("an expired dispatch (a replay, or one the coordinator gave up on)");
  }

  /** A dispatch of run {@code runId} whose command would leave {@code marker} behind. */
  private static byte[] evil(String runId, Path marker) throws Exception {
    return evil(runId, "1:Evil", "Evil", marker);
  }

  private static byte[] evil(String runId, String dispatchId, String path, Path marker)
      throws Exception {
    return evil(runId, dispatchId, path, marker, "default", null);
  }

  private static byte[] evil(
      String runId, String dispatchId, String path, Path marker, String pool, Long expiresAt)
      throws Exception {
    return Json.write(
        new Dispatch(
            runId,
            dispatchId,
            path,
            "Evil",
            pool,
            Json.MAPPER.readTree(
                "{\"kind\":\"shell\",\"command\":\"touch " + marker + "\",\"args\":[],\"env\":{}}"),
            10_000,
            1,
            1,
            new Dispatch.Backoff(1000, 2, 30_000, 0),
            runId + ":Evil",
            System.currentTimeMillis(),
            null,
            null,
            expiresAt));
  }

  private static ProducerRecord<String, byte[]> signed(
      String topic, String key, byte[] value, Signer by) {
    return Signed.record(
        topic, key, value, Signed.Purpose.DISPATCH, by, System.currentTimeMillis());
  }

  /** Sends a dispatch signed by {@code by}; returns the agent's reason for refusing it. */
  private static String refusal(String runId, byte[] value, Signer by, Path marker) {
    return refusal(runId, signed(stack.topics().dispatch("default"), runId, value, by), marker);
  }

  private static String refusal(String runId, ProducerRecord<String, byte[]> r, Path marker) {
    stack.sendRecord(r);
    WorkflowEvent refused =
        stack.awaitEvent(
            runId, e -> e.type() == EventType.DISPATCH_REFUSED, Duration.ofSeconds(30));
    assertThat(refused.agent()).isEqualTo("signed");
    assertThat(Files.exists(marker)).as("the forged command did not run").isFalse();
    return refused.reason();
  }

  @Test
  void shouldRefuseADispatchSignedInTheCoordinatorsNameWithAnotherKey() throws Exception {
    // Agents hold the coordinator's public key only; what an agent (or a build step that read its
    // files) holds is its own private key: with it, it cannot sign as the coordinator.
    Path marker = stack.dir().resolve("pwned-wrong-key");
    byte[] value = evil("forged-wrong-key", marker);
    Signer agentsKey = Signer.fromFile("coordinator", stack.keys().key("agents"));
    assertThat(refusal("forged-wrong-key", value, agentsKey, marker))
        .isEqualTo("dispatch forged or altered (the signature of \"coordinator\" does not match)");
  }

  @Test
  void shouldRefuseASignedDispatchWhoseValueWasTamperedWith() throws Exception {
    Path marker = stack.dir().resolve("pwned-tampered");
    Path harmless = stack.dir().resolve("harmless");
    byte[] genuine = evil("forged-tampered", harmless);
    ProducerRecord<String, byte[]> asSigned =
        signed(stack.topics().dispatch("default"), "forged-tampered", genuine, coordinator);
    byte[] tampered =
        new String(genuine, StandardCharsets.UTF_8)
            .replace(harmless.toString(), marker.toString())
            .getBytes(StandardCharsets.UTF_8);
    ProducerRecord<String, byte[]> r =
        new ProducerRecord<>(asSigned.topic(), null, asSigned.key(), tampered, asSigned.headers());
    assertThat(refusal("forged-tampered", r, marker))
        .isEqualTo("dispatch forged or altered (the signature of \"coordinator\" does not match)");
    assertThat(Files.exists(harmless)).isFalse();
  }

  @Test
  void shouldRefuseADispatchSignedWithAnUnknownKeyId() throws Exception {
    Path marker = stack.dir().resolve("pwned-unknown-key");
    byte[] value = evil("forged-unknown-key", marker);
    Signer stranger = Signer.fromFile("k9", stack.keys().extra("k9"));
    assertThat(refusal("forged-unknown-key", value, stranger, marker))
        .isEqualTo("dispatch signed by \"k9\", who is not trusted here");
  }

  @Test
  void shouldRefuseMalformedSignatures() throws Exception {
    for (String sig :
        List.of("garbage", "v2:coordinator:AAAA", "ed25519:coordinator:%%%not-base64%%%")) {
      String runId = "forged-malformed-" + Math.abs(sig.hashCode());
      Path marker = stack.dir().resolve("pwned-" + runId);
      ProducerRecord<String, byte[]> r =
          new ProducerRecord<>(stack.topics().dispatch("default"), runId, evil(runId, marker));
      r.headers().add(Signed.SIGNATURE, sig.getBytes(StandardCharsets.UTF_8));
      r.headers().add(Signed.SIGNED_AT, "1".getBytes(StandardCharsets.UTF_8));
      assertThat(refusal(runId, r, marker))
          .as("signature " + sig)
          .startsWith("dispatch malformed signature");
    }
  }

  @Test
  void shouldFailAStepWhoseKindTheAgentDoesNotAllow() {
    String runId =
        stack.submitYaml(
            "{ name: Http On Locked, agent: { pool: locked }, action: { kind: http, url: 'http://127.0.0.1:1/' } }");
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.success()).isFalse();
    assertThat(r.steps().get(0).error())
        .isEqualTo("action kind \"http\" is not allowed on this agent (allowed: shell)");
  }

  @Test
  void shouldFailAShellCommandOutsideTheAgentsPatterns() {
    String runId =
        stack.submitYaml(
            "{ name: Rm On Locked, agent: { pool: locked }, action: { kind: shell, command: 'rm -rf /tmp/nothing' } }");
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.steps().get(0).status()).isEqualTo(StepStatus.FAILED);
    assertThat(r.steps().get(0).error()).startsWith("command not allowed on this agent");
  }

  @Test
  void shouldNotLetAStepChangeWhatAnAllowedCommandDoesThroughItsEnvOrWorkdir() throws Exception {
    // "echo .*" is allowed on the locked agent; a hostile step keeps the command and changes the
    // loader, the PATH (a fake echo) or the directory it runs in.
    Path fakeBin = Files.createDirectories(stack.dir().resolve("fake-bin"));
    Path marker = stack.dir().resolve("pwned-by-path");
    Files.writeString(fakeBin.resolve("echo"), "#!/bin/sh\ntouch " + marker + "\n");
    fakeBin.resolve("echo").toFile().setExecutable(true);
    String viaPath =
        stack.submitYaml(
            "{ name: Path On Locked, agent: { pool: locked }, action: { kind: shell, command: 'echo"
                + " hi', env: { PATH: '"
                + fakeBin
                + "' } } }");
    String viaPreload =
        stack.submitYaml(
            "{ name: Preload On Locked, agent: { pool: locked }, action: { kind: shell, command:"
                + " 'echo hi', env: { LD_PRELOAD: '/tmp/evil.so' } } }");
    String viaWorkdir =
        stack.submitYaml(
            "{ name: Workdir On Locked, agent: { pool: locked }, action: { kind: shell, command:"
                + " 'echo hi', workdir: '../../../../../../etc' } }");
    String plain =
        stack.submitYaml(
            "{ name: Plain On Locked, agent: { pool: locked }, action: { kind: shell, command:"
                + " 'echo \"$GREETING\"', env: { GREETING: hello } } }");
    assertThat(stack.awaitResult(viaPath, Duration.ofSeconds(30)).errors().get(0).message())
        .isEqualTo(
            "env PATH is not allowed on this agent: it would change what the allowed command does");
    assertThat(stack.awaitResult(viaPreload, Duration.ofSeconds(30)).errors().get(0).message())
        .startsWith("env LD_PRELOAD is not allowed on this agent");
    assertThat(stack.awaitResult(viaWorkdir, Duration.ofSeconds(30)).errors().get(0).message())
        .isEqualTo("workdir ../../../../../../etc leaves this agent's work directory");
    WorkflowResult ok = stack.awaitResult(plain, Duration.ofSeconds(30));
    assertThat(ok.success()).isTrue();
    assertThat(ok.steps().get(0).result().get("output").asText()).isEqualTo("hello\n");
    assertThat(Files.exists(marker)).as("the fake echo never ran").isFalse();
  }

  @Test
  void shouldHoldStepsToTheEnvNamesAndWorkdirRootTheAgentAllows() throws Exception {
    Path root = Files.createDirectories(stack.dir().resolve("fence"));
    Files.createDirectories(root.resolve("app"));
    stack.agent(
        "fenced", c -> c.withStepLimits(List.of(Pattern.compile("APP_.*")), root), "fenced");
    String badEnv =
        stack.submitYaml(
            "{ name: Env, agent: { pool: fenced }, action: { kind: shell, command: 'echo {}',"
                + " env: { APP_OK: yes, GIT_SSH_COMMAND: 'touch /tmp/x' } } }");
    String outside =
        stack.submitYaml(
            "{ name: Outside, agent: { pool: fenced }, action: { kind: shell, command: 'echo {}',"
                + " workdir: '/etc' } }");
    String inside =
        stack.submitYaml(
            "{ name: Inside, agent: { pool: fenced }, action: { kind: shell, command: 'echo"
                + " \"{\\\"v\\\":\\\"$APP_V\\\"}\"', workdir: '"
                + root.resolve("app")
                + "', env: { APP_V: fine } } }");
    assertThat(stack.awaitResult(badEnv, Duration.ofSeconds(30)).errors().get(0).message())
        .isEqualTo(
            "env GIT_SSH_COMMAND is not allowed on this agent (it matches none of its --allow-env)");
    assertThat(stack.awaitResult(outside, Duration.ofSeconds(30)).errors().get(0).message())
        .isEqualTo("workdir /etc is outside this agent's --workdir-root " + root);
    WorkflowResult ok = stack.awaitResult(inside, Duration.ofSeconds(30));
    assertThat(ok.success()).isTrue();
    assertThat(ok.steps().get(0).result().get("v").asText()).isEqualTo("fine");
  }

  @Test
  void shouldPassHostileInputsToTheCommandAsPlainStrings() throws Exception {
    Path out = stack.dir().resolve("hostile-out");
    String hostile = "\"; touch " + stack.dir().resolve("injected") + "; echo \"$(id)`id`";
    var def =
        DefinitionReader.parse(
                """
                name: Hostile
                type: sequential
                inputs: { value: harmless }
                steps:
                  - name: Echo
                    action:
                      kind: shell
                      command: 'printf "%%s|%%s" "$1" "$V" > "%s"'
                      args: ["${{ inputs.value }}"]
                      env: { V: "${{ inputs.value }}" }
                """
                    .formatted(out),
                false)
            .tree();
    String runId = stack.submit(def, Map.of("value", TextNode.valueOf(hostile)));
    assertThat(stack.awaitResult(runId, Duration.ofSeconds(30)).success()).isTrue();
    assertThat(Files.readString(out)).isEqualTo(hostile + "|" + hostile);
    assertThat(Files.exists(stack.dir().resolve("injected"))).isFalse();
  }
}
