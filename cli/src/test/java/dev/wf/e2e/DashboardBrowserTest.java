package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.cli.DashboardCommand;
import dev.wf.cli.dashboard.Dashboard;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * What a person sees on {@code wf dashboard}, in a real headless Chromium, while real runs go on a
 * real broker with a real coordinator and agent: runs appear, steps turn green or red live, and the
 * page's cancel and approve buttons act on the run.
 */
class DashboardBrowserTest {
  static TestStack stack;
  static Dashboard dashboard;
  static Browser browser;
  static String url;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    stack = new TestStack();
    stack.agent("agent-1", "default");
    dashboard =
        DashboardCommand.open(
            stack.bootstrap(),
            Map.of(),
            stack.submitter(),
            new Dashboard.Settings(stack.topics(), "127.0.0.1", 0, null, "tester", 5_000));
    url = dashboard.url().toString();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  private static String step(String name) {
    return ".row[data-name='" + name + "']";
  }

  @Test
  void shouldShowTheRunAppearAndItsStepsTurnGreenOrRedLive() throws Exception {
    Path gate = stack.dir().resolve("gate-" + System.nanoTime());
    String runId =
        stack.submitYaml(
            """
            name: Release Train
            type: sequential
            steps:
              - name: Checks
                type: parallel
                steps:
                  - name: Lint
                    action: { kind: shell, command: "echo '{\\"warnings\\":0}'" }
                  - name: Unit Tests
                    action: { kind: shell, command: "echo 41 passed; echo 1 flaky >&2" }
                  - name: Gate
                    action:
                      kind: shell
                      command: 'while [ ! -f "$GATE" ]; do sleep 0.05; done; echo opened'
                      env: { GATE: "%s" }
              - name: Package
                action: { kind: shell, command: "echo packaged" }
              - name: Smoke Test
                onError: continue
                action: { kind: shell, command: "echo 'connection refused' >&2; exit 3" }
              - name: Publish
                action: { kind: noop }
            """
                .formatted(gate));

    browser.open(url);
    browser.awaitStatus("[data-run-id='" + runId + "']", "running");

    browser.click("[data-run-id='" + runId + "'] a");
    browser.until("the run page", d -> "1".equals(browser.body("ready")));
    browser.awaitStatus(step("Lint"), "success");
    browser.awaitStatus(step("Gate"), "running");
    assertThat(browser.statusOf(step("Package"))).as("not started behind the gate").isNull();

    Files.writeString(gate, "open");

    // the same page, never reloaded: the steps change colour as their events arrive
    browser.awaitStatus(step("Gate"), "success");
    browser.awaitStatus(step("Package"), "success");
    browser.awaitStatus(step("Smoke Test"), "failed");
    browser.awaitStatus(step("Publish"), "success");
    browser.awaitStatus("#run-status", "success");
    assertThat(browser.driver.findElement(By.cssSelector(step("Gate"))).getText())
        .as("the agent that ran it")
        .contains("agent-1");

    browser.click(step("Smoke Test"));
    browser.until(
        "the failed step's error in its details",
        d -> d.findElement(By.id("details")).getText().contains("exit 3: connection refused"));
    browser.screenshot(Path.of("..", "docs", "dashboard.png"));
  }

  @Test
  void shouldKillTheRunningActionWhenCancelIsClickedOnThePage() throws Exception {
    Path pidFile = stack.dir().resolve("sleep-" + System.nanoTime() + ".pid");
    String runId =
        stack.submitYaml(
            """
            name: Long Haul
            steps:
              - name: Sleep
                action:
                  kind: shell
                  command: 'sleep 600 & echo $! > "$PIDFILE"; wait'
                  env: { PIDFILE: "%s" }
            """
                .formatted(pidFile));
    browser.open(url + "runs/" + runId);
    browser.awaitStatus(step("Sleep"), "running");
    long pid =
        browser.until(
            "the sleep to start",
            d -> {
              try {
                String s = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
                return s.isEmpty() ? null : Long.parseLong(s);
              } catch (java.io.IOException e) {
                return null;
              }
            });
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

    browser.open(url + "agents");
    browser.until(
        "agent-1 listed as running the step",
        d ->
            d.findElement(By.cssSelector("[data-agent='agent-1']"))
                    .getAttribute("data-state")
                    .equals("live")
                && d.findElement(By.cssSelector("[data-agent='agent-1']"))
                    .getText()
                    .contains("Long Haul › Sleep #1"));
    assertThat(browser.driver.findElement(By.cssSelector("[data-pool='default']")).getText())
        .contains("1 agent");

    browser.open(url + "runs/" + runId);
    long clicked = System.currentTimeMillis();
    browser.click("#cancel");
    browser.until("armed", d -> d.findElement(By.id("cancel")).getText().contains("again"));
    browser.click("#cancel");

    browser.awaitStatus(step("Sleep"), "cancelled");
    browser.awaitStatus("#run-status", "cancelled");
    assertThat(System.currentTimeMillis() - clicked).as("well before 600 s").isLessThan(60_000);
    browser.until(
        "the sleep process killed",
        d -> !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(30));
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void shouldContinueAWaitingApprovalWhenApproveIsClickedOnThePage() {
    String runId =
        stack.submitYaml(
            """
            name: Ship It
            steps:
              - name: Build
                action: { kind: noop }
              - name: Approve Production
                action: { kind: approval, message: "Ship to production?" }
              - name: Deploy
                action: { kind: shell, command: "echo deployed" }
            """);
    browser.open(url + "runs/" + runId);
    browser.awaitStatus(step("Approve Production"), "waiting");
    browser.until(
        "the question",
        d ->
            d.findElement(By.cssSelector("[data-approval='Approve Production']"))
                .getText()
                .contains("Ship to production?"));
    assertThat(browser.statusOf(step("Deploy"))).as("waits for the approval").isNull();

    browser
        .driver
        .findElement(By.cssSelector("[data-approval='Approve Production'] .comment"))
        .sendKeys("looks good");
    browser.click("[data-approval='Approve Production'] button[data-decision='approve']");

    browser.awaitStatus(step("Approve Production"), "success");
    browser.awaitStatus(step("Deploy"), "success");
    browser.awaitStatus("#run-status", "success");
    assertThat(browser.driver.findElements(By.cssSelector("[data-approval]"))).isEmpty();
    StepResult approval =
        stack.awaitResult(runId, Duration.ofSeconds(30)).steps().stream()
            .filter(s -> s.name().equals("Approve Production"))
            .findFirst()
            .orElseThrow();
    assertThat(approval.result().get("by").asText()).isEqualTo("tester");
    assertThat(approval.result().get("comment").asText()).isEqualTo("looks good");
  }

  @Test
  void shouldListEachOfSeveralRunsOfOneWorkflowAtOnce() {
    String yaml =
        """
        name: Nightly Batch
        type: parallel
        steps:
          - name: Extract
            action: { kind: shell, command: "echo extracted" }
          - name: Load
            action: { kind: sleep, duration: 300ms }
        """;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(stack.submitYaml(yaml));
    }
    browser.open(url + "?q=Nightly");
    for (String id : ids) {
      browser.awaitStatus("[data-run-id='" + id + "']", "success");
    }
    assertThat(browser.body("shown")).isEqualTo("4");

    browser.click(".chip[data-filter='success']");
    browser.until("the success filter", d -> d.getCurrentUrl().contains("status=success"));
    browser.until(
        "only successful runs listed",
        d ->
            (Boolean)
                browser.js(
                    "const rows = [...document.querySelectorAll('.row[data-run-id]')];"
                        + " return rows.length > 0"
                        + " && rows.every(r => r.dataset.status === 'success');"));
  }

  @Test
  void shouldServeTheDashboardOfTheRunThatWfRunStartsWithItsDashboardFlag() throws Exception {
    Path gate = stack.dir().resolve("run-gate-" + System.nanoTime());
    Path file =
        Files.writeString(
            stack.dir().resolve("demo.yaml"),
            """
            name: Demo
            steps:
              - name: Wait For Gate
                action:
                  kind: shell
                  command: 'while [ ! -f "$GATE" ]; do sleep 0.05; done'
                  env: { GATE: "%s" }
            """
                .formatted(gate));
    java.io.StringWriter err = new java.io.StringWriter();
    java.util.concurrent.CompletableFuture<Integer> exit =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () ->
                dev.wf.cli.Main.execute(
                    new java.io.PrintWriter(new java.io.StringWriter(), true),
                    new java.io.PrintWriter(err, true),
                    "run",
                    file.toString(),
                    "--bootstrap",
                    stack.bootstrap(),
                    "--dashboard=0"));
    String printed =
        browser.until(
            "wf run to print the dashboard's address",
            Duration.ofSeconds(90),
            d -> {
              java.util.regex.Matcher m =
                  java.util.regex.Pattern.compile("dashboard: (http://\\S+)")
                      .matcher(err.toString());
              return m.find() ? m.group(1) : null;
            });

    browser.open(printed);
    browser.awaitStatus(step("Wait For Gate"), "running");
    assertThat(browser.driver.findElement(By.id("run-name")).getText()).isEqualTo("Demo");
    Files.writeString(gate, "open");
    assertThat(exit.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(err.toString()).isZero();
  }
}
