package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.Signatures;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may run what: signed dispatches, allowlists on agents, inputs that stay plain text. */
class SecurityTest {
  static final Signatures KEYS =
      Signatures.parse("k2=second-secret-0123456789,k1=first-secret-0123456789");
  static TestStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack(c -> c.withSignatures(KEYS));
    stack.agent(
        "signed",
        c ->
            c.withSecurity(
                List.of(),
                Signatures.parse("k1=first-secret-0123456789,k2=second-secret-0123456789")),
        "default");
    stack.agent(
        "locked",
        c ->
            c.withAllowedKinds(Set.of("shell"))
                .withSecurity(List.of(Pattern.compile("echo .*")), KEYS),
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
    stack.agent("later-agent", c -> c.withSecurity(List.of(), KEYS), "later");
    WorkflowResult r = stack.awaitResult(victim, Duration.ofSeconds(60));
    assertThat(r.status()).as("the forgery failed nothing").isEqualTo(RunStatus.SUCCESS);
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void shouldShowNoKeyOfTheAgentToAStepThatPrintsItsEnvironment() throws Exception {
    // An agent process holding its keys the usual way, in WF_SIGNING_KEYS; the step is a build
    // step that would leak them to the events, where anyone reading them could then sign.
    try (Child agent =
        stack.agentProcessWithEnv(
            Map.of(
                "WF_SIGNING_KEYS",
                "k2=second-secret-0123456789,k1=first-secret-0123456789",
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
          .doesNotContain("second-secret")
          .doesNotContain("first-secret")
          .doesNotContain("api-token-0123")
          .doesNotContain("WF_SIGNING_KEYS");
      assertThat(agent.alive()).isTrue();
    }
  }

  @Test
  void shouldRefuseAGenuinelySignedDispatchCopiedToAnotherPoolsTopic() throws Exception {
    // Signed with the real key (as the coordinator signs) for pool "default", then replayed by
    // someone who can write the topic of pool "locked".
    Path marker = stack.dir().resolve("pwned-other-pool");
    byte[] value = evil("replayed-pool", "1:Evil", "Evil", marker, "default", null);
    String sig = KEYS.sign(value).orElseThrow();
    stack.sendTo(stack.topics().dispatch("locked"), "replayed-pool", value, Signatures.HEADER, sig);
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
    String sig = KEYS.sign(value).orElseThrow();
    assertThat(refusal("replayed-old", value, sig, marker))
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

  /** Sends a dispatch with {@code signature}; returns the agent's reason for refusing it. */
  private static String refusal(String runId, byte[] value, String signature, Path marker) {
    stack.sendTo(stack.topics().dispatch("default"), runId, value, Signatures.HEADER, signature);
    WorkflowEvent refused =
        stack.awaitEvent(
            runId, e -> e.type() == EventType.DISPATCH_REFUSED, Duration.ofSeconds(30));
    assertThat(refused.agent()).isEqualTo("signed");
    assertThat(Files.exists(marker)).as("the forged command did not run").isFalse();
    return refused.reason();
  }

  @Test
  void shouldRefuseADispatchSignedWithTheRightKeyIdButAnotherSecret() throws Exception {
    Path marker = stack.dir().resolve("pwned-wrong-key");
    byte[] value = evil("forged-wrong-key", marker);
    String sig = Signatures.parse("k2=attacker-secret-0123456789").sign(value).orElseThrow();
    assertThat(refusal("forged-wrong-key", value, sig, marker))
        .isEqualTo("forged or altered dispatch (signature does not match)");
  }

  @Test
  void shouldRefuseASignedDispatchWhoseValueWasTamperedWith() throws Exception {
    Path marker = stack.dir().resolve("pwned-tampered");
    Path harmless = stack.dir().resolve("harmless");
    byte[] genuine = evil("forged-tampered", harmless);
    String sig = KEYS.sign(genuine).orElseThrow(); // as the coordinator signed it
    byte[] tampered =
        new String(genuine, StandardCharsets.UTF_8)
            .replace(harmless.toString(), marker.toString())
            .getBytes(StandardCharsets.UTF_8);
    assertThat(refusal("forged-tampered", tampered, sig, marker))
        .isEqualTo("forged or altered dispatch (signature does not match)");
    assertThat(Files.exists(harmless)).isFalse();
  }

  @Test
  void shouldRefuseADispatchSignedWithAnUnknownKeyId() throws Exception {
    Path marker = stack.dir().resolve("pwned-unknown-key");
    byte[] value = evil("forged-unknown-key", marker);
    String sig = Signatures.parse("k9=some-other-secret-0123456789").sign(value).orElseThrow();
    assertThat(refusal("forged-unknown-key", value, sig, marker))
        .isEqualTo("signed with unknown key \"k9\"");
  }

  @Test
  void shouldRefuseMalformedSignatures() throws Exception {
    for (String sig : List.of("garbage", "v2:k1:AAAA", "v1:k1:%%%not-base64%%%")) {
      String runId = "forged-malformed-" + Math.abs(sig.hashCode());
      Path marker = stack.dir().resolve("pwned-" + runId);
      assertThat(refusal(runId, evil(runId, marker), sig, marker))
          .as("signature " + sig)
          .isEqualTo("malformed signature");
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
