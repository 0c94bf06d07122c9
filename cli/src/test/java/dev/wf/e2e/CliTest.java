package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.cli.Main;
import dev.wf.protocol.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code wf} command as a user runs it: output streams and exit codes. */
class CliTest {
  @TempDir Path tmp;

  record Ran(int code, String out, String err) {}

  static Ran wf(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Ran(code, out.toString(), err.toString());
  }

  private Path file(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text);
  }

  @Test
  void shouldMakeAnAgentsWorkDirectoryThatDoesNotExistYet() throws Exception {
    Path work = tmp.resolve("not/there/yet");
    try (Child agent =
        Child.start(
            tmp.resolve("agent.log"),
            "agent",
            "--bootstrap",
            TestKafka.bootstrap(),
            "--topic-prefix",
            "workdir-" + System.nanoTime() + ".",
            "--pool",
            "made",
            "--workdir",
            work.toString(),
            "--insecure")) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!java.nio.file.Files.isDirectory(work) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100); // the agent's JVM is starting
      }
      assertThat(work).isDirectory();
      assertThat(agent.alive()).as("and it runs").isTrue();
    }
  }

  @Test
  void shouldNameThePortAndTheOptionWhenASecondCoordinatorFindsItsApiPortTaken() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
      Ran r =
          wf(
              "coordinator",
              "--bootstrap",
              TestKafka.bootstrap(),
              "--state-dir",
              tmp.resolve("second-coordinator").toString(),
              "--http-port",
              Integer.toString(taken.getLocalPort()),
              "--insecure");
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err())
          .contains("port " + taken.getLocalPort() + " is in use")
          .contains("--http-port (WF_HTTP_PORT)");
    }
  }

  @Test
  void shouldValidateEveryExample() {
    Ran r =
        wf(
            "validate",
            "../examples/deployment.yaml",
            "../examples/etl-pipeline.yaml",
            "../examples/microservices-release.yaml",
            "../examples/blue-green.yaml");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("deployment.yaml: valid");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void shouldListEveryProblemWithItsPathAndExitTwo() throws Exception {
    Path f =
        file(
            "bad.yaml",
            """
            name: Bad
            type: sequential
            steps:
              - name: A
                action: { kind: shell, comand: "make" }
              - name: B
                type: parallel
                steps:
                  - name: C
                    timeout: 10 parsecs
                    action: { kind: noop }
            """);
    Ran r = wf("validate", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("steps[0].action.comand: unknown field (did you mean 'command'?)")
        .contains("steps[0].action.command: is required")
        .contains("steps[1].steps[0].timeout: \"10 parsecs\" is not a duration")
        .doesNotContain("Exception");
  }

  @Test
  void shouldPrintWarningsButExitZero() throws Exception {
    Path f =
        file(
            "warn.yaml",
            "name: W\ntype: sequential\nretries: 2\nsteps:\n  - { name: A, action: { kind: noop } }\n");
    Ran r = wf("validate", f.toString());
    assertThat(r.code()).isZero();
    assertThat(r.err())
        .contains("warning: retries: has no effect on a group unless onError is retry");
  }

  @Test
  void shouldGiveLineAndColumnForAYamlSyntaxError() throws Exception {
    Path f =
        file(
            "syntax.yaml", "name: S\nsteps:\n  - { name: A, action: { kind: noop }\n  - name: B\n");
    Ran r = wf("validate", f.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).containsPattern("YAML syntax error at line \\d+, column \\d+");
  }

  @Test
  void shouldSayInOneLineThatAFileIsMissing() {
    Ran r = wf("validate", tmp.resolve("nope.yaml").toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip().lines())
        .hasSize(2)
        .first()
        .asString()
        .endsWith("nope.yaml: no such file");
  }

  @Test
  void shouldRunAWorkflowAndPrintOnlyTheResultOnStdoutWithJson() throws Exception {
    Path f =
        file(
            "ok.yaml",
            "name: Ok\ntype: sequential\nsteps:\n  - { name: A, action: { kind: shell, command: 'echo {\\\"n\\\":1}' } }\n");
    Ran r = wf("run", f.toString(), "--json", "--bootstrap", TestKafka.bootstrap());
    assertThat(r.code()).as(r.err()).isZero();
    var result = Json.MAPPER.readTree(r.out());
    assertThat(result.get("status").asText()).isEqualTo("success");
    assertThat(result.get("steps").get(0).get("result").get("n").asInt()).isEqualTo(1);
    assertThat(r.err()).contains("step:complete").contains("Ok: success");
  }

  @Test
  void shouldRunTwoWfRunsAtOnceOnOneClusterEachOnTopicsOfItsOwnThenDeleted() throws Exception {
    // Each wf run has keys of its own: on a shared cluster its coordinator must not join another's
    // (a submission would land where its key is not trusted), nor the cluster's own coordinators.
    Path f =
        file(
            "pair.yaml",
            "name: Pair\ntype: sequential\nsteps:\n  - { name: A, action: { kind: shell, command: 'sleep 1; echo {}' } }\n");
    try (Child one =
            Child.start(
                tmp.resolve("one.log"), "run", f.toString(), "--bootstrap", TestKafka.bootstrap());
        Child two =
            Child.start(
                tmp.resolve("two.log"),
                "run",
                f.toString(),
                "--bootstrap",
                TestKafka.bootstrap())) {
      assertThat(one.waitFor(Duration.ofSeconds(120))).as(one.log()).isZero();
      assertThat(two.waitFor(Duration.ofSeconds(120))).as(two.log()).isZero();
      java.util.regex.Pattern own =
          java.util.regex.Pattern.compile("topics of its own on \\S+: (\\S+)\\*");
      java.util.regex.Matcher a = own.matcher(one.log());
      java.util.regex.Matcher b = own.matcher(two.log());
      assertThat(a.find() && b.find()).as(one.log() + two.log()).isTrue();
      assertThat(a.group(1)).isNotEqualTo(b.group(1));
      try (var admin =
          org.apache.kafka.clients.admin.Admin.create(
              java.util.Map.<String, Object>of("bootstrap.servers", TestKafka.bootstrap()))) {
        assertThat(admin.listTopics().names().get())
            .as("each run's topics are deleted when it ends")
            .noneMatch(t -> t.startsWith(a.group(1)) || t.startsWith(b.group(1)));
      }
    }
  }

  @Test
  void shouldExitOneWhenTheRunFails() throws Exception {
    Path f =
        file(
            "fail.yaml",
            "name: Fails\ntype: sequential\nsteps:\n  - { name: A, action: { kind: shell, command: 'exit 4' } }\n");
    Ran r = wf("run", f.toString(), "--bootstrap", TestKafka.bootstrap());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("error at Fails.sequential[0] (A): exit 4");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void shouldExitTwoWithoutStartingAnythingForAnInvalidWorkflow() throws Exception {
    Path f = file("invalid.yaml", "name: X\nsteps: []\n");
    Ran r = wf("run", f.toString(), "--bootstrap", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("steps: a group needs at least one step");
  }

  @Test
  void shouldExitThreeWhenTheBrokerDoesNotAnswer() throws Exception {
    Path f = file("ok2.yaml", "{ name: Ok, action: { kind: noop } }\n");
    Ran r = wf("run", f.toString(), "--bootstrap", "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(3);
    assertThat(r.err().strip())
        .isEqualTo("wf: the Kafka cluster at 127.0.0.1:1 did not answer within 10 s");
  }

  @Test
  void shouldCancelTheRunAndExit130OnCtrlC() throws Exception {
    Path pid = tmp.resolve("sleep.pid");
    Path f =
        file(
            "long.yaml",
            "name: Long\ntype: sequential\nsteps:\n  - { name: Nap, action: { kind: shell, command: 'echo $$ > \"$1\"; exec sleep 60', args: [\""
                + pid
                + "\"] } }\n");
    Child run =
        Child.start(
            tmp.resolve("run.log"), "run", f.toString(), "--bootstrap", TestKafka.bootstrap());
    long deadline = System.currentTimeMillis() + 60_000;
    while ((!Files.exists(pid) || Files.readString(pid).isBlank())
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    long sleeper = Long.parseLong(Files.readString(pid).trim());
    new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start().waitFor();
    assertThat(run.waitFor(Duration.ofSeconds(30))).as("exit code").isEqualTo(130);
    assertThat(run.log()).contains("interrupted: cancelling run").contains("workflow:cancelled");
    RunsOnKafkaTest.assertGone(List.of(sleeper));
  }

  @Test
  void shouldRefuseToStartServicesWithoutKeysUnlessToldToRunInsecure() throws Exception {
    Ran coordinator = wf("coordinator", "--bootstrap", "127.0.0.1:1", "--http-port", "0");
    assertThat(coordinator.code()).isEqualTo(2);
    assertThat(coordinator.err())
        .contains("a coordinator needs --signing-key (WF_SIGNING_KEY) and --trust (WF_TRUST)")
        .contains("--insecure");
    Ran agent = wf("agent", "--bootstrap", "127.0.0.1:1");
    assertThat(agent.code()).isEqualTo(2);
    assertThat(agent.err())
        .contains("an agent needs --coordinator-key (WF_COORDINATOR_KEY) and --agent-key");
    Ran both =
        wf("agent", "--bootstrap", "127.0.0.1:1", "--insecure", "--agent-key", "/nowhere.key");
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err()).contains("contradict each other");
    Ran badKey =
        wf(
            "coordinator",
            "--bootstrap",
            "127.0.0.1:1",
            "--signing-key",
            file("not-a-key.key", "hello").toString(),
            "--trust",
            file("trust.yaml", "submitters: {}\n").toString());
    assertThat(badKey.code()).isEqualTo(2);
    assertThat(badKey.err()).contains("--signing-key").contains("not-a-key.key");
  }

  @Test
  void shouldWarnAtStartWhenAServiceRunsInsecure() throws Exception {
    try (Child agent =
        Child.start(
            tmp.resolve("insecure-agent.log"),
            "agent",
            "--bootstrap",
            TestKafka.bootstrap(),
            "--topic-prefix",
            "insecure-" + System.nanoTime() + ".",
            "--workdir",
            tmp.resolve("insecure-work").toString(),
            "--insecure")) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!agent.log().contains("INSECURE") && System.currentTimeMillis() < deadline) {
        Thread.sleep(50); // the agent's JVM is starting
      }
      assertThat(agent.log())
          .contains("INSECURE: this agent runs unsigned dispatches and signs nothing");
    }
  }

  @Test
  void shouldMakeAKeyPairThatOnlyItsOwnerCanRead() throws Exception {
    Ran made = wf("keygen", "deploy-1", "--dir", tmp.resolve("keys").toString());
    assertThat(made.code()).as(made.err()).isZero();
    Path key = tmp.resolve("keys/deploy-1.key");
    assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(tmp.resolve("keys/deploy-1.pub")))
        .startsWith("-----BEGIN PUBLIC KEY-----");
    assertThat(
            java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    Ran again = wf("keygen", "deploy-1", "--dir", tmp.resolve("keys").toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("exists already; a key is never overwritten");
  }

  @Test
  void shouldRefuseAnInputOfTheWrongType() throws Exception {
    Ran r =
        wf(
            "run",
            "../examples/blue-green.yaml",
            "--input",
            "cooldownSeconds=soon",
            "--bootstrap",
            "127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("cooldownSeconds is a number");
  }
}
