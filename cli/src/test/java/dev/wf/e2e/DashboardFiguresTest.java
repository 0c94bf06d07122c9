package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.cli.DashboardCommand;
import dev.wf.cli.dashboard.Dashboard;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The dashboard's figures, measured in a real Chromium on a real broker: how long an event written
 * to the events topic takes to show on the page, how long the runs page takes to load with 1,000
 * runs, and that a 10,000-step run opens and scrolls. The events are written by this test as any
 * Kafka client could (the dashboard reads the topics alone), so the figures do not wait on runs.
 * Each figure is printed and kept in {@code target/dashboard-figures.txt}.
 */
class DashboardFiguresTest {
  static final int RUNS = 1_000;
  static final int BIG_RUN_STEPS = 10_000;

  static Topics topics;
  static KafkaProducer<String, byte[]> producer;
  static Dashboard dashboard;
  static Browser browser;
  static String url;
  static final List<String> figures = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    String bootstrap = TestKafka.bootstrap();
    topics = new Topics("fig" + UUID.randomUUID().toString().substring(0, 8) + ".");
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(p)) {
      Map<String, String> big = Map.of("max.message.bytes", "" + Topics.MAX_RECORD_BYTES);
      admin
          .createTopics(
              List.of(
                  new NewTopic(topics.events(), 2, (short) 1).configs(big),
                  new NewTopic(topics.results(), 2, (short) 1).configs(big),
                  new NewTopic(topics.agents(), 1, (short) 1)))
          .all()
          .get();
    }
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "" + Topics.MAX_RECORD_BYTES);
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    dashboard =
        DashboardCommand.open(
            bootstrap,
            Map.of(),
            null,
            new Dashboard.Settings(topics, "127.0.0.1", 0, null, "bench", 5_000));
    url = dashboard.url().toString();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (dashboard != null) {
      dashboard.close();
    }
    if (producer != null) {
      producer.close();
    }
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "dashboard-figures.txt"), figures);
  }

  private static void figure(String line) {
    System.out.println("FIGURE " + line);
    figures.add(line);
  }

  private static void send(WorkflowEvent e) {
    producer.send(new ProducerRecord<>(topics.events(), e.runId(), Json.write(e)));
  }

  private static String at(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }

  /** A finished run of {@code steps} shell steps, as the coordinator would tell it. */
  private static void finishedRun(String runId, long t, int steps) {
    String root = "Nightly Report";
    send(WorkflowEvent.of(EventType.WORKFLOW_START, runId).step(root, root).at(at(t)));
    send(WorkflowEvent.of(EventType.STEP_START, runId).step(root, root).attempt(1).at(at(t)));
    List<StepResult> results = new ArrayList<>();
    for (int k = 0; k < steps; k++) {
      String path = root + ".sequential[" + k + "]";
      String name = "Step " + k;
      send(WorkflowEvent.of(EventType.STEP_START, runId).step(path, name).attempt(1).at(at(t + k)));
      var result = Json.MAPPER.createObjectNode().put("exitCode", 0).put("output", "ok\n");
      send(
          WorkflowEvent.of(EventType.STEP_COMPLETE, runId)
              .step(path, name)
              .attempt(1)
              .agent("agent-" + (k % 3))
              .duration(1)
              .result(result)
              .at(at(t + k + 1)));
      results.add(
          new StepResult(
              name,
              path,
              StepStatus.SUCCESS,
              1,
              result,
              null,
              0,
              "agent-" + (k % 3),
              null,
              null,
              null));
    }
    results.add(
        new StepResult(
            root, root, StepStatus.SUCCESS, steps, null, null, 0, null, null, null, null));
    WorkflowResult r =
        new WorkflowResult(runId, root, true, RunStatus.SUCCESS, steps, results, List.of(), null);
    send(
        WorkflowEvent.of(EventType.WORKFLOW_COMPLETE, runId)
            .step(root, root)
            .result(Json.MAPPER.valueToTree(r))
            .at(at(t + steps + 1)));
  }

  private static int runsOnTheDashboard() throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "api/runs")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return Json.MAPPER.readTree(body).get("runs").size();
  }

  private static long median(List<Long> xs) {
    List<Long> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  @Test
  void shouldLoadTheRunsPageWith1000RunsAndShowANewEventWithinASecond() throws Exception {
    long t = System.currentTimeMillis() - 3_600_000;
    for (int i = 0; i < RUNS; i++) {
      finishedRun(String.format("bench-%04d", i), t + i * 1_000L, 5);
    }
    producer.flush();
    browser.until(
        "the dashboard to read " + RUNS + " runs",
        Duration.ofSeconds(60),
        d -> {
          try {
            return runsOnTheDashboard() >= RUNS;
          } catch (Exception e) {
            return false;
          }
        });

    List<Long> loads = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      browser.open(url);
      assertThat(Integer.parseInt(browser.body("runs"))).isGreaterThanOrEqualTo(RUNS);
      loads.add(Math.round(((Number) browser.js("return window.wfReadyAt")).doubleValue()));
    }
    assertThat(browser.driver.findElements(By.cssSelector(".row[data-run-id]")))
        .as("only the rows in view are in the page")
        .hasSizeLessThan(100);
    figure(
        "runs page with "
            + RUNS
            + " runs (5 steps each): navigation start to first full render, median "
            + median(loads)
            + " ms of "
            + loads);
    assertThat(median(loads)).isLessThan(3_000);

    // a new run's first event, written to the topic now, until its row is in the page
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = "probe-" + i + "-" + UUID.randomUUID();
      browser.js(
          "window.seenAt = null; const id = arguments[0];"
              + " const o = new MutationObserver(() => {"
              + "   if (document.querySelector('[data-run-id=\"' + id + '\"]')) {"
              + "     window.seenAt = Date.now(); o.disconnect(); } });"
              + " o.observe(document.getElementById('runs'), {childList: true, subtree: true});",
          id);
      long sent = System.currentTimeMillis();
      send(WorkflowEvent.of(EventType.WORKFLOW_START, id).step("Probe", "Probe").at(at(sent)));
      producer.flush();
      Number seen =
          browser.until(
              "probe " + i + " on the page", d -> (Number) browser.js("return window.seenAt"));
      latencies.add(seen.longValue() - sent);
    }
    figure(
        "event written to the events topic until its run's row is in the page: median "
            + median(latencies)
            + " ms, max "
            + Collections.max(latencies)
            + " ms over "
            + latencies.size()
            + " events");
    assertThat(median(latencies)).isLessThan(1_000);
  }

  @Test
  void shouldOpenAndScrollARunOf10000Steps() {
    String runId = "big-" + UUID.randomUUID();
    String root = "Fan Out";
    long t = System.currentTimeMillis() - 60_000;
    send(WorkflowEvent.of(EventType.WORKFLOW_START, runId).step(root, root).at(at(t)));
    send(WorkflowEvent.of(EventType.STEP_START, runId).step(root, root).attempt(1).at(at(t)));
    for (int k = 0; k < BIG_RUN_STEPS; k++) {
      String path = root + ".parallel[" + k + "]";
      String name = "Item " + k;
      send(WorkflowEvent.of(EventType.STEP_START, runId).step(path, name).attempt(1).at(at(t + k)));
      if (k % 2 == 0) {
        send(
            WorkflowEvent.of(k % 10 == 0 ? EventType.STEP_FAILED : EventType.STEP_COMPLETE, runId)
                .step(path, name)
                .attempt(1)
                .agent("agent-" + (k % 7))
                .duration(500)
                .error(k % 10 == 0 ? "exit 1: item " + k + " failed" : null)
                .at(at(t + k + 500)));
      }
    }
    producer.flush();

    browser.driver.get(url + "runs/" + runId);
    browser.until("the page's first render", d -> "1".equals(browser.body("ready")));
    browser.until(
        "all " + (BIG_RUN_STEPS + 1) + " steps",
        Duration.ofSeconds(60),
        d -> ("" + (BIG_RUN_STEPS + 1)).equals(browser.body("steps")));
    long load = Math.round(((Number) browser.js("return window.wfReadyAt")).doubleValue());
    browser.driver.navigate().refresh();
    browser.until("the page's first render", d -> "1".equals(browser.body("ready")));
    assertThat(browser.body("steps")).isEqualTo("" + (BIG_RUN_STEPS + 1));
    long reload = Math.round(((Number) browser.js("return window.wfReadyAt")).doubleValue());
    assertThat(browser.driver.findElements(By.cssSelector(".row[data-path]")))
        .as("only the rows in view are in the page")
        .hasSizeLessThan(100);

    browser.js("const s = document.getElementById('steps'); s.scrollTop = s.scrollHeight;");
    browser.awaitStatus(".row[data-name='Item 9999']", "running");
    browser.awaitStatus(".row[data-name='Item 9990']", "failed");
    figure(
        "run page of a "
            + BIG_RUN_STEPS
            + "-step run: navigation start to first full render "
            + reload
            + " ms (first open, while the dashboard was still reading: "
            + load
            + " ms); scrolled to its last step");
    assertThat(reload).isLessThan(5_000);
  }
}
