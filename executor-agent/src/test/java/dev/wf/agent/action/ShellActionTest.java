package dev.wf.agent.action;

import static dev.wf.agent.action.Attempts.action;
import static dev.wf.agent.action.Attempts.context;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.Action;
import dev.wf.protocol.result.AttemptStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell action as DESIGN.md section 7 specifies it, with real processes. */
class ShellActionTest {
  @TempDir Path work;
  private final ShellAction shell = new ShellAction(300);

  private AttemptOutcome run(String json, Duration timeout) throws InterruptedException {
    return shell.run((Action.Shell) action(json), context(work, timeout));
  }

  @Test
  void shouldTakeTheJsonValueOnTheLastNonEmptyStdoutLineAsTheResult() throws Exception {
    AttemptOutcome o =
        run(
            """
            {"kind":"shell","command":"echo building; echo '{\\"image\\":\\"api:1.2\\"}'; echo"}""",
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.SUCCESS);
    assertThat(o.result().get("image").asText()).isEqualTo("api:1.2");
  }

  @Test
  void shouldGiveExitCodeAndOutputWhenTheLastLineIsNotJson() throws Exception {
    AttemptOutcome o =
        run("{\"kind\":\"shell\",\"command\":\"echo one; echo two\"}", Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.SUCCESS);
    assertThat(o.result().get("exitCode").asInt()).isZero();
    assertThat(o.result().get("output").asText()).isEqualTo("one\ntwo\n");
  }

  @Test
  void shouldStartFromACleanEnvironmentThatHoldsNoneOfTheAgentsSecrets() throws Exception {
    Map<String, String> agent =
        Map.of(
            "PATH", System.getenv("PATH"),
            "HOME", "/home/agent",
            "WF_SIGNING_KEYS", "k1=the-agents-secret-0123456789",
            "WF_HTTP_TOKEN", "s3cret",
            "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI");
    ShellAction clean = new ShellAction(300, StepEnvironment.of(agent));
    AttemptOutcome o =
        clean.run(
            (Action.Shell) action("{\"kind\":\"shell\",\"command\":\"printenv\"}"),
            context(work, Duration.ofSeconds(10)));
    assertThat(o.status()).isEqualTo(AttemptStatus.SUCCESS);
    String printed = o.result().get("output").asText();
    assertThat(printed)
        .contains("HOME=/home/agent")
        .contains("WF_RUN_ID=run-7")
        .doesNotContain("the-agents-secret")
        .doesNotContain("WF_SIGNING_KEYS")
        .doesNotContain("s3cret")
        .doesNotContain("wJalrXUtnFEMI");
  }

  @Test
  void shouldPassArgsEnvAndTheWfVariablesWithoutShellSplicing() throws Exception {
    AttemptOutcome o =
        run(
            """
            {"kind":"shell",
             "command":"printf '%s|%s|%s|%s|%s|%s' \\"$1\\" \\"$GREETING\\" \\"$WF_RUN_ID\\" \\"$WF_STEP_PATH\\" \\"$WF_ATTEMPT\\" \\"$WF_IDEMPOTENCY_KEY\\"",
             "args":["a b; rm -rf /"],
             "env":{"GREETING":"$(whoami)"}}""",
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.SUCCESS);
    assertThat(o.result().get("output").asText())
        .isEqualTo(
            "a b; rm -rf /|$(whoami)|run-7|Release.sequential[1]|2|run-7:Release.sequential[1]");
  }

  @Test
  void shouldRunInTheWorkdirUnderTheAgentsOwn() throws Exception {
    Files.createDirectories(work.resolve("checkout"));
    AttemptOutcome o =
        run(
            "{\"kind\":\"shell\",\"command\":\"pwd\",\"workdir\":\"checkout\"}",
            Duration.ofSeconds(10));
    assertThat(o.result().get("output").asText().strip())
        .isEqualTo(work.resolve("checkout").toRealPath().toString());
  }

  @Test
  void shouldFailWithTheMissingWorkdirNamed() throws Exception {
    AttemptOutcome o =
        run(
            "{\"kind\":\"shell\",\"command\":\"true\",\"workdir\":\"nowhere\"}",
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error()).contains("workdir").contains("nowhere").contains("does not exist");
  }

  @Test
  void shouldFailANonZeroExitWithTheStderrTail() throws Exception {
    AttemptOutcome o =
        run(
            "{\"kind\":\"shell\",\"command\":\"echo fine; echo 'disk full' >&2; exit 3\"}",
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error()).isEqualTo("exit 3: disk full");
  }

  @Test
  void shouldKillAnActionThatIgnoresTermWithKillAfterTheGrace() throws Exception {
    Path pids = work.resolve("pids");
    long t0 = System.nanoTime();
    AttemptOutcome o =
        run(
            """
            {"kind":"shell",
             "command":"trap '' TERM; sleep 300 & echo $! > \\"$1\\"; echo $$ >> \\"$1\\"; while true; do sleep 1; done",
             "args":["%s"]}"""
                .formatted(pids),
            Duration.ofMillis(500));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(o.status()).isEqualTo(AttemptStatus.TIMEOUT);
    assertThat(o.error()).startsWith("timed out after 500ms");
    assertThat(tookMs).as("timeout plus the kill grace, not the sleep").isLessThan(10_000);
    assertGone(pids);
  }

  @Test
  void shouldKillTheWholeGroupOnCancel() throws Exception {
    Path pids = work.resolve("cancel-pids");
    Cancellation cancel = new Cancellation();
    Thread canceller =
        new Thread(
            () -> {
              try {
                while (!Files.exists(pids) || Files.readAllLines(pids).size() < 2) {
                  Thread.sleep(20);
                }
                cancel.cancel("run cancelled by ana");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    canceller.start();
    AttemptOutcome o =
        shell.run(
            (Action.Shell)
                action(
                    """
                    {"kind":"shell","command":"sleep 300 & echo $! > \\"$1\\"; echo $$ >> \\"$1\\"; wait",
                     "args":["%s"]}"""
                        .formatted(pids)),
            context(work, Duration.ofMinutes(5), cancel));
    canceller.join();
    assertThat(o.status()).isEqualTo(AttemptStatus.CANCELLED);
    assertThat(o.error()).isEqualTo("cancelled: run cancelled by ana");
    assertGone(pids);
  }

  /** Every process whose pid the action wrote is gone within seconds (reaped or a zombie). */
  private static void assertGone(Path pidFile) throws Exception {
    List<Long> pids =
        Files.readAllLines(pidFile).stream().map(s -> Long.parseLong(s.strip())).toList();
    assertThat(pids).as("the action wrote the pids of its shell and of its child").hasSize(2);
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    List<Long> alive = pids;
    while (!alive.isEmpty() && System.nanoTime() < deadline) {
      alive = pids.stream().filter(ShellActionTest::running).toList();
      Thread.sleep(20);
    }
    assertThat(alive).as("processes still running 5 s after the attempt ended").isEmpty();
  }

  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (java.io.IOException e) {
      return false; // gone
    }
  }
}
