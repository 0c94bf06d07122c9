package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Concurrency keys and approvals across coordinator instances, as an operator runs them: two
 * coordinator processes sharing the runs, one of them killed with kill -9 while a run holds the key
 * and others wait; an approval that waits through a coordinator restart.
 */
class ConcurrencyKeysTest {
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final String KEYED =
      """
      name: Deploy prod
      type: sequential
      concurrency: { key: "deploy-${{ inputs.env }}" }
      inputs: { env: prod }
      steps:
        - name: Roll out
          action: { kind: shell, command: "sleep 0.5" }
      """;

  private static String[] coordinator(TestStack stack, String name) {
    return new String[] {"--http-port", "0", "--partitions", "4", "--agent-timeout", "5s"};
  }

  @Test
  void shouldNeverLetTwoRunsHoldAKeyAcrossTwoCoordinatorsNorLoseTheQueueToAKill() throws Exception {
    try (TestStack stack = new TestStack(false)) {
      stack.agent("worker", c -> c.withMaxConcurrent(20), "default");
      Child a = stack.coordinatorProcess("coord-a", coordinator(stack, "coord-a"));
      Child b = stack.coordinatorProcess("coord-b", coordinator(stack, "coord-b"));
      try (a;
          b) {
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          runs.add(submit(stack, KEYED, "prod"));
        }
        // kill one instance while a run holds the key and others wait behind it
        stack.awaitEvent(
            runs.get(0),
            e ->
                e.type() == EventType.STEP_QUEUED
                    || (e.type() == EventType.STEP_START && "Deploy prod".equals(e.step())),
            WAIT);
        stack.awaitEvent(
            runs.get(1),
            e -> e.type() == EventType.STEP_START && "Roll out".equals(e.step()),
            WAIT);
        a.kill9();
        for (int i = 0; i < 4; i++) {
          runs.add(submit(stack, KEYED, "prod"));
        }
        List<long[]> held = new ArrayList<>();
        for (String runId : runs) {
          assertThat(stack.awaitResult(runId, WAIT).status())
              .as(runId)
              .isEqualTo(RunStatus.SUCCESS);
          List<WorkflowEvent> events = stack.eventsOfEnded(runId);
          held.add(
              new long[] {
                TestStack.at(
                    events,
                    e -> e.type() == EventType.STEP_START && "Deploy prod".equals(e.step())),
                TestStack.at(events, e -> e.type() == EventType.WORKFLOW_COMPLETE)
              });
        }
        held.sort((x, y) -> Long.compare(x[0], y[0]));
        for (int i = 1; i < held.size(); i++) {
          assertThat(held.get(i)[0])
              .as("holder %d takes the key after holder %d let go", i, i - 1)
              .isGreaterThanOrEqualTo(held.get(i - 1)[1]);
        }
        String logA = Files.readString(stack.dir().resolve("logs/coord-a.log"));
        String logB = Files.readString(stack.dir().resolve("logs/coord-b.log"));
        assertThat(runs.stream().filter(r -> logA.contains("run " + r + " started")).count())
            .as("runs the killed instance owned")
            .isPositive();
        assertThat(runs.stream().filter(r -> logB.contains("run " + r + " started")).count())
            .as("runs the other instance owned")
            .isPositive();
      }
    }
  }

  @Test
  void shouldKeepAnApprovalWaitingThroughACoordinatorKillAndGoOnWhenApproved() throws Exception {
    try (TestStack stack = new TestStack(false)) {
      stack.agent("worker", "default");
      String yaml =
          """
          name: Ship
          type: sequential
          steps:
            - name: Approve
              action: { kind: approval, message: "Ship it?" }
              timeout: 10m
            - name: Deploy
              action: { kind: noop }
          """;
      String runId;
      try (Child first = stack.coordinatorProcess("coord", coordinator(stack, "coord"))) {
        runId = stack.submit(DefinitionReader.parse(yaml, false).tree(), Map.of());
        stack.awaitEvent(runId, e -> e.type() == EventType.STEP_APPROVAL, WAIT);
        first.kill9();
      }
      int port;
      try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
        port = free.getLocalPort();
      }
      try (Child second =
          stack.coordinatorProcess(
              "coord", "--http-port", Integer.toString(port), "--http-token", "s3cret")) {
        assertThat(second.alive()).isTrue();
        String body = "{\"step\":\"Approve\",\"decision\":\"approve\",\"by\":\"ana\"}";
        assertThat(post(port, runId, body, null)).as("no token").isEqualTo(401);
        assertThat(post(port, runId, body, "guess")).as("a wrong token").isEqualTo(401);
        assertThat(stack.events(runId)).noneMatch(e -> e.type() == EventType.STEP_COMPLETE);
        assertThat(post(port, runId, body, "s3cret")).isEqualTo(202);
        assertThat(stack.awaitResult(runId, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(stack.events(runId))
            .filteredOn(e -> e.type() == EventType.STEP_APPROVAL)
            .as("asked once, not again after the restart")
            .hasSize(1);
      }
    }
  }

  /** POSTs a signal to the coordinator's API; the HTTP status, once the API answers. */
  private static int post(int port, String runId, String body, String token) throws Exception {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      var request =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://localhost:" + port + "/runs/" + runId + "/signal"))
              .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      try {
        return http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString())
            .statusCode();
      } catch (java.net.ConnectException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e; // the coordinator never opened its API
        }
        Thread.sleep(200); // the process is still starting
      }
    }
  }

  private static String submit(TestStack stack, String yaml, String env) {
    return stack.submit(
        DefinitionReader.parse(yaml, false).tree(), Map.of("env", TextNode.valueOf(env)));
  }
}
