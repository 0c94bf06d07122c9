package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each role in its own process, talking only through Kafka: a coordinator and agents as separate
 * JVMs with separate work dirs. Agents are killed, stopped and cancelled as an operator would.
 */
class ProcessesTest {
  static TestStack stack;
  static Child coordinator;
  static int httpPort;
  final List<Child> agents = new ArrayList<>();

  @BeforeAll
  static void startCoordinator() throws Exception {
    stack = new TestStack(false);
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      httpPort = socket.getLocalPort();
    }
    coordinator =
        stack.coordinatorProcess(
            "coordinator",
            "--http-port",
            Integer.toString(httpPort),
            "--http-host",
            "localhost",
            "--http-token",
            "s3cret",
            "--partitions",
            "2",
            "--agent-timeout",
            "3s",
            "--cancel-grace",
            "10s");
  }

  @AfterAll
  static void stopCoordinator() throws Exception {
    coordinator.close();
    stack.close();
  }

  @AfterEach
  void stopAgents() throws Exception {
    for (Child a : agents) {
      a.close();
    }
  }

  private Child agent(String id, String... pools) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("--heartbeat", "500ms", "--drain-timeout", "1s", "--kill-grace", "1s"));
    for (String p : pools) {
      args.add("--pool");
      args.add(p);
    }
    Child c = stack.agentProcess(id, args.toArray(String[]::new));
    agents.add(c);
    return c;
  }

  @Test
  void shouldRouteEachStepToAnAgentOfItsPool() throws Exception {
    agent("builder", "build", "default");
    agent("deployer", "deploy");
    JsonNode def =
        DefinitionReader.read(ExamplesOnKafkaTest.example("microservices-release.yaml")).tree();
    String runId = stack.submit(def, Map.of());
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(90));
    SeedShape.assertAllSucceeded(def, r);
    for (StepResult s : r.steps()) {
      if (s.name().endsWith(" Services")
          || s.name().equals("Verify Deployment")
          || s.name().equals("Microservices Release")) {
        continue; // groups run on no agent
      }
      if (s.name().startsWith("Build ")) {
        assertThat(s.agent()).as(s.name()).isEqualTo("builder");
      } else if (s.name().startsWith("Deploy ")) {
        assertThat(s.agent()).as(s.name()).isEqualTo("deployer");
      } else if (s.name().endsWith("Health Check")) {
        assertThat(s.agent()).as(s.name()).isEqualTo("builder");
      }
    }
    assertThat(stack.events(runId))
        .filteredOn(
            e ->
                e.type() == EventType.STEP_COMPLETE
                    && e.step().startsWith("Deploy ")
                    && e.agent() != null)
        .extracting(WorkflowEvent::agent)
        .containsOnly("deployer");
  }

  @Test
  void shouldFinishAStepOnAnotherAgentWhenItsAgentIsKilled() throws Exception {
    Child one = agent("long-1", "long");
    Child two = agent("long-2", "long");
    String runId =
        stack.submitYaml(
            """
            name: Survives
            type: sequential
            steps:
              - name: Long Step
                agent: { pool: long }
                action: { kind: shell, command: 'echo $$ > "$PWD/started-$WF_ATTEMPT"; sleep 6; echo "{\\"host\\":\\"$(basename $PWD)\\"}"' }
            """);
    Path w1 = stack.dir().resolve("work-long-1/started-1");
    Path w2 = stack.dir().resolve("work-long-2/started-1");
    long deadline = System.currentTimeMillis() + 30_000;
    while (!Files.exists(w1) && !Files.exists(w2) && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    boolean firstOnOne = Files.exists(w1);
    assertThat(firstOnOne || Files.exists(w2)).as("the step started on an agent").isTrue();
    Child victim = firstOnOne ? one : two;
    String survivor = firstOnOne ? "long-2" : "long-1";
    long orphan = Long.parseLong(Files.readString(firstOnOne ? w1 : w2).trim());
    long killedAt = System.currentTimeMillis();
    victim.kill9();
    WorkflowEvent lost =
        stack.awaitEvent(runId, e -> e.type() == EventType.STEP_LOST, Duration.ofSeconds(30));
    long lostAt = System.currentTimeMillis();
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(60));
    long doneAt = System.currentTimeMillis();
    ProcessHandle.of(orphan)
        .ifPresent(ProcessHandle::destroyForcibly); // the killed agent's action outlives it
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    StepResult step = SeedShape.step(r, "Long Step");
    assertThat(step.agent()).isEqualTo(survivor);
    assertThat(step.result().get("host").asText()).isEqualTo("work-" + survivor);
    assertThat(step.attempts())
        .extracting(a -> a.status())
        .containsExactly(AttemptStatus.LOST, AttemptStatus.SUCCESS);
    assertThat(step.retries()).as("a lost attempt uses no retry").isZero();
    assertThat(lost.error()).contains("stopped heartbeating");
    System.out.printf(
        "agent kill -9 -> step:lost seen in %d ms; -> run done in %d ms (the step itself sleeps 6 s)%n",
        lostAt - killedAt, doneAt - killedAt);
  }

  @Test
  void shouldHandBackWorkAtOnceWhenAnAgentStopsGracefully() throws Exception {
    Child one = agent("drain-1", "drain");
    Child two = agent("drain-2", "drain");
    String runId =
        stack.submitYaml(
            """
            name: Handed Back
            type: sequential
            steps:
              - name: Slow
                agent: { pool: drain }
                action: { kind: shell, command: 'touch "$PWD/started-$WF_ATTEMPT-$$"; sleep 4; echo "{\\"host\\":\\"$(basename $PWD)\\"}"' }
            """);
    Path d1 = stack.dir().resolve("work-drain-1");
    Path d2 = stack.dir().resolve("work-drain-2");
    long deadline = System.currentTimeMillis() + 30_000;
    while (list(d1).isEmpty() && list(d2).isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    boolean onOne = !list(d1).isEmpty();
    long t0 = System.currentTimeMillis();
    (onOne ? one : two).term();
    WorkflowEvent lost =
        stack.awaitEvent(runId, e -> e.type() == EventType.STEP_LOST, Duration.ofSeconds(30));
    long handedBack = System.currentTimeMillis() - t0;
    assertThat(lost.error()).contains("handed the step back");
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(60));
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(SeedShape.step(r, "Slow").agent()).isEqualTo(onOne ? "drain-2" : "drain-1");
    System.out.printf("agent SIGTERM -> step handed back and re-dispatched in %d ms%n", handedBack);
  }

  @Test
  void shouldKillTheActionWithinSecondsWhenTheRunIsCancelled() throws Exception {
    agent("cancel-1", "default");
    String runId =
        stack.submitYaml(
            """
            name: To Cancel
            type: sequential
            steps:
              - name: Sleeper
                action: { kind: shell, command: 'echo $$ > "$PWD/sleeper.pid"; exec sleep 60' }
              - name: After
                action: { kind: noop }
            """);
    Path pidFile = stack.dir().resolve("work-cancel-1/sleeper.pid");
    long deadline = System.currentTimeMillis() + 30_000;
    while ((!Files.exists(pidFile) || Files.readString(pidFile).isBlank())
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    long pid = Long.parseLong(Files.readString(pidFile).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);
    long t0 = System.currentTimeMillis();
    assertThat(
            CliTest.wf(
                    "cancel",
                    runId,
                    "--bootstrap",
                    stack.bootstrap(),
                    "--topic-prefix",
                    stack.topics().prefix(),
                    "--submitter-key",
                    stack.keys().key("tester").toString())
                .code())
        .isZero();
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    long took = System.currentTimeMillis() - t0;
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(SeedShape.step(r, "Sleeper").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(r.steps()).extracting(StepResult::name).doesNotContain("After");
    RunsOnKafkaTest.assertGone(List.of(pid));
    assertThat(took).as("cancel to result").isLessThan(5_000);
    System.out.printf("wf cancel -> run cancelled and action killed in %d ms%n", took);
  }

  @Test
  void shouldAnswerQueriesAboutARunAndItsAgentsOverHttp() throws Exception {
    agent("api-agent", "api");
    String runId =
        stack.submitYaml(
            """
            name: Queried
            type: sequential
            steps:
              - { name: First, agent: { pool: api }, action: { kind: noop } }
              - { name: Slow, agent: { pool: api }, action: { kind: shell, command: 'sleep 3' } }
            """);
    stack.awaitEvent(
        runId,
        e -> e.type() == EventType.STEP_START && "Slow".equals(e.step()),
        Duration.ofSeconds(30));
    var http =
        java.net.http.HttpClient.newBuilder()
            .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
            .build();
    java.util.function.Function<String, java.net.http.HttpResponse<String>> get =
        path -> {
          try {
            return http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://localhost:" + httpPort + path))
                    .header("Authorization", "Bearer s3cret")
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        };
    var running = dev.wf.protocol.Json.MAPPER.readTree(get.apply("/runs/" + runId).body());
    assertThat(running.get("status").asText()).isEqualTo("running");
    assertThat(running.get("steps").findValuesAsText("name")).contains("First", "Slow");
    assertThat(running.toString())
        .contains("\"status\":\"success\"")
        .containsPattern("\"status\":\"(running|waiting)\"");
    assertThat(get.apply("/agents").body()).contains("api-agent");
    CliTest.Ran status =
        CliTest.wf(
            "status",
            runId,
            "--json",
            "--coordinator",
            "http://localhost:" + httpPort,
            "--http-token",
            "s3cret");
    assertThat(status.code()).as(status.err()).isZero();
    assertThat(dev.wf.protocol.Json.MAPPER.readTree(status.out()).get("status").asText())
        .isEqualTo("running");
    CliTest.Ran fromEvents =
        CliTest.wf(
            "status",
            runId,
            "--json",
            "--bootstrap",
            stack.bootstrap(),
            "--topic-prefix",
            stack.topics().prefix());
    assertThat(fromEvents.code()).as(fromEvents.err()).isZero();
    assertThat(
            dev.wf.protocol.Json.MAPPER
                .readTree(fromEvents.out())
                .get("steps")
                .findValuesAsText("status"))
        .contains("success", "running");
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.success()).isTrue();
    var ended = dev.wf.protocol.Json.MAPPER.readTree(get.apply("/runs/" + runId).body());
    assertThat(ended.get("status").asText()).isEqualTo("success");
    assertThat(get.apply("/metrics").body())
        .contains("wf_events_total{type=\"step:start\"}")
        .contains("wf_dispatches_total{pool=\"api\"}");
    var anonymous =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + httpPort + "/runs/" + runId))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    var health =
        http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + httpPort + "/health"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
  }

  @Test
  void shouldDriveRunsFromTheCommandLine() throws Exception {
    agent("cli-agent", "cli");
    Path f =
        Files.writeString(
            stack.dir().resolve("cli.yaml"),
            "name: From CLI\nagent: { pool: cli }\ninputs: { n: 1 }\naction: { kind: shell, command: 'echo \"{\\\"n\\\":$N}\"', env: { N: '${{ inputs.n + 1 }}' } }\n");
    String[] kafka = {
      "--bootstrap",
      stack.bootstrap(),
      "--topic-prefix",
      stack.topics().prefix(),
      "--submitter-key",
      stack.keys().key("tester").toString()
    };
    CliTest.Ran submitted =
        CliTest.wf(concat(new String[] {"submit", f.toString(), "--input", "n=41"}, kafka));
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String runId = submitted.out().strip();
    assertThat(runId).startsWith("run-");
    CliTest.Ran watched = CliTest.wf(concat(new String[] {"watch", runId}, kafka));
    assertThat(watched.code()).isZero();
    assertThat(watched.err())
        .contains("workflow:start")
        .contains("workflow:complete")
        .contains("From CLI: success");
    CliTest.Ran status = CliTest.wf(concat(new String[] {"status", runId, "--json"}, kafka));
    assertThat(
            dev.wf.protocol.Json.MAPPER
                .readTree(status.out())
                .get("steps")
                .get(0)
                .get("result")
                .get("n")
                .asInt())
        .isEqualTo(42);
    CliTest.Ran waited =
        CliTest.wf(concat(new String[] {"submit", f.toString(), "--wait", "--json"}, kafka));
    assertThat(waited.code()).isZero();
    assertThat(dev.wf.protocol.Json.MAPPER.readTree(waited.out()).get("status").asText())
        .isEqualTo("success");
    CliTest.Ran agents = CliTest.wf(concat(new String[] {"agents"}, kafka));
    assertThat(agents.out()).contains("cli-agent").contains("pools cli");
    CliTest.Ran unknown = CliTest.wf(concat(new String[] {"status", "no-such-run"}, kafka));
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .isEqualTo("wf: no run no-such-run on " + stack.topics().events());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<Path> list(Path dir) throws Exception {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (var s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("started-")).toList();
    }
  }
}
