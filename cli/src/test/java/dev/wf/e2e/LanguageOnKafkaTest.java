package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.IntakeMessage;
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
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The language beyond the seed (DESIGN.md section 8) on a real broker, each feature with several
 * runs of one workflow at once, shared by two agents: fan-out over a list, approvals, reruns,
 * non-retryable failures, deadlines and run timeouts, concurrency keys.
 */
class LanguageOnKafkaTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  static TestStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack();
    stack.agent("agent-a", "default");
    stack.agent("agent-b", "default");
  }

  @AfterAll
  static void stop() throws Exception {
    stack.close();
  }

  private static String submit(String yaml, Map<String, JsonNode> inputs) {
    return stack.submit(DefinitionReader.parse(yaml, false).tree(), inputs);
  }

  private static ArrayNode list(String... items) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    for (String i : items) {
      a.add(i);
    }
    return a;
  }

  private static StepResult step(WorkflowResult r, String name) {
    return r.steps().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no step " + name + " in " + r.steps()));
  }

  @Test
  void shouldFanOutOverEachRunsListWithAtMostMaxParallelItemsAtOnce() {
    String yaml =
        """
        name: Release
        type: sequential
        inputs: { services: [] }
        steps:
          - name: Deploy services
            type: parallel
            forEach: "inputs.services"
            maxParallel: 2
            steps:
              - name: Deploy
                action: { kind: shell, command: 'sleep 0.3; echo "{\\"deployed\\":\\"$1\\",\\"index\\":$2}"', args: ["${{ item }}", "${{ index }}"] }
          - name: Report
            action: { kind: noop }
            condition: "steps['Deploy[0]'].status == 'success'"
        """;
    List<String> runs = new ArrayList<>();
    List<List<String>> lists =
        List.of(
            List.of("api", "web", "worker", "cron", "mail"),
            List.of("api", "web", "worker"),
            List.of("billing", "search", "auth", "feeds"));
    for (List<String> services : lists) {
      runs.add(submit(yaml, Map.of("services", list(services.toArray(String[]::new)))));
    }
    for (int r = 0; r < runs.size(); r++) {
      WorkflowResult result = stack.awaitResult(runs.get(r), WAIT);
      assertThat(result.status()).as(result.toString()).isEqualTo(RunStatus.SUCCESS);
      List<String> services = lists.get(r);
      for (int i = 0; i < services.size(); i++) {
        StepResult deploy = step(result, "Deploy[" + i + "]");
        assertThat(deploy.path())
            .isEqualTo("Release.sequential[0].parallel[" + i + "].sequential[0]");
        assertThat(deploy.result().get("deployed").asText()).isEqualTo(services.get(i));
        assertThat(deploy.result().get("index").asInt()).isEqualTo(i);
        assertThat(step(result, "Deploy services[" + i + "]").status())
            .isEqualTo(StepStatus.SUCCESS);
      }
      assertThat(step(result, "Report").status()).isEqualTo(StepStatus.SUCCESS);
      assertThat(mostAtOnce(stack.eventsOfEnded(runs.get(r)), "Deploy services["))
          .as("items running at once in run " + r)
          .isBetween(1, 2);
    }
  }

  @Test
  void shouldFailAFanOutOverMoreItemsThanTheLimitNamingTheLimit() {
    ArrayNode many = JsonNodeFactory.instance.arrayNode();
    for (int i = 0; i <= 10_000; i++) {
      many.add(i);
    }
    String runId =
        submit(
            """
            name: Too many
            type: parallel
            forEach: "inputs.items"
            inputs: { items: [] }
            steps:
              - name: Each
                action: { kind: noop }
            """,
            Map.of("items", many));
    WorkflowResult r = stack.awaitResult(runId, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.errors()).hasSize(1);
    assertThat(r.errors().get(0).message()).contains("10001 items").contains("limit of 10000");
  }

  @Test
  void shouldWaitForApprovalThenGoOnApprovedOrFailRejectedAndRefuseALateSignal() {
    String yaml =
        """
        name: Ship
        type: sequential
        inputs: { version: v1 }
        steps:
          - name: Build
            action: { kind: noop }
          - name: Approve
            action: { kind: approval, message: "Ship ${{ inputs.version }}?" }
            timeout: 1m
          - name: Deploy
            action: { kind: shell, command: 'echo "{\\"by\\":\\"$1\\"}"', args: ["${{ steps.Approve.result.by }}"] }
        """;
    String approved = submit(yaml, Map.of("version", TextNode.valueOf("v7")));
    String rejected = submit(yaml, Map.of("version", TextNode.valueOf("v8")));
    WorkflowEvent asked =
        stack.awaitEvent(approved, e -> e.type() == EventType.STEP_APPROVAL, WAIT);
    assertThat(asked.message()).isEqualTo("Ship v7?");
    stack.awaitEvent(rejected, e -> e.type() == EventType.STEP_APPROVAL, WAIT);

    signal(approved, "Approve", "approve", "ana", "looks good");
    signal(rejected, "Approve", "reject", "bo", "not today");
    WorkflowResult ok = stack.awaitResult(approved, WAIT);
    WorkflowResult no = stack.awaitResult(rejected, WAIT);

    assertThat(ok.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(step(ok, "Approve").result().get("decision").asText()).isEqualTo("approve");
    assertThat(step(ok, "Approve").result().get("comment").asText()).isEqualTo("looks good");
    assertThat(step(ok, "Deploy").result().get("by").asText()).isEqualTo("ana");
    assertThat(no.status()).isEqualTo(RunStatus.FAILED);
    assertThat(no.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.step()).isEqualTo("Approve");
              assertThat(e.message()).isEqualTo("rejected by bo: not today");
            });

    signal(approved, "Approve", "reject", "eve", "too late");
    WorkflowEvent refused =
        stack.awaitEvent(approved, e -> e.type() == EventType.SIGNAL_REFUSED, WAIT);
    assertThat(refused.reason()).isEqualTo("the run has ended");
    String waiting = submit(yaml, Map.of());
    stack.awaitEvent(waiting, e -> e.type() == EventType.STEP_APPROVAL, WAIT);
    signal(waiting, "Build", "approve", "eve", "");
    assertThat(stack.awaitEvent(waiting, e -> e.type() == EventType.SIGNAL_REFUSED, WAIT).reason())
        .isEqualTo("step \"Build\" is not an approval");
    stack.cancel(waiting);
    assertThat(stack.awaitResult(waiting, WAIT).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void shouldRerunWhatDidNotSucceedAndTakeTheRestAsItWas() throws Exception {
    Path flag = stack.dir().resolve("flag-" + UUID.randomUUID());
    Path log = stack.dir().resolve("rerun-" + UUID.randomUUID() + ".log");
    String yaml =
        """
        name: Pipeline
        type: sequential
        steps:
          - name: Extract
            action: { kind: shell, command: 'echo "extract $WF_RUN_ID" >> "$1"; echo "{\\"rows\\":3}"', args: ["%s"] }
          - name: Transform
            action: { kind: shell, command: 'echo "transform $WF_RUN_ID" >> "$1"; test -e "$2"', args: ["%s", "%s"] }
          - name: Load
            action: { kind: shell, command: 'echo "load $WF_RUN_ID" >> "$1"', args: ["%s"] }
        """
            .formatted(log, log, flag, log);
    String first = submit(yaml, Map.of());
    String twin = submit(yaml, Map.of());
    assertThat(stack.awaitResult(first, WAIT).status()).isEqualTo(RunStatus.FAILED);
    assertThat(stack.awaitResult(twin, WAIT).status()).isEqualTo(RunStatus.FAILED);
    Files.writeString(flag, "now it works");

    String again = "r-" + UUID.randomUUID();
    stack.send(again, Json.write(new IntakeMessage.Rerun(again, first, null)));
    WorkflowResult r = stack.awaitResult(again, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(r.rerunOf()).isEqualTo(first);
    assertThat(step(r, "Extract").reused()).isTrue();
    assertThat(step(r, "Extract").result().get("rows").asInt()).isEqualTo(3);
    assertThat(step(r, "Transform").reused()).isNull();
    assertThat(step(r, "Load").reused()).isNull();
    assertThat(stack.events(again))
        .filteredOn(e -> "Extract".equals(e.step()) && e.type() == EventType.STEP_COMPLETE)
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo("reused from run " + first));

    String fromLoad = "r-" + UUID.randomUUID();
    stack.send(fromLoad, Json.write(new IntakeMessage.Rerun(fromLoad, again, "Load")));
    WorkflowResult l = stack.awaitResult(fromLoad, WAIT);
    assertThat(l.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(step(l, "Extract").reused()).isTrue();
    assertThat(step(l, "Transform").reused()).isTrue();
    assertThat(step(l, "Load").reused()).isNull();

    List<String> ran = Files.readAllLines(log);
    assertThat(ran)
        .filteredOn(line -> line.endsWith(again))
        .containsExactly("transform " + again, "load " + again);
    assertThat(ran).filteredOn(line -> line.endsWith(fromLoad)).containsExactly("load " + fromLoad);

    String nowhere = "r-" + UUID.randomUUID();
    stack.send(nowhere, Json.write(new IntakeMessage.Rerun(nowhere, "r-never-was", null)));
    assertThat(
            stack.awaitEvent(nowhere, e -> e.type() == EventType.WORKFLOW_REJECTED, WAIT).reason())
        .contains("rerun of r-never-was: no such run");
  }

  @Test
  void shouldEndAttemptsAtANonRetryableExitAndTimeOutAtTheDeadlineAndTheRunTimeout() {
    String usage =
        submit(
            """
            name: Usage
            action: { kind: shell, command: "exit 64" }
            retries: 5
            backoff: { initial: 10s }
            nonRetryable: { exitCodes: [2, 64] }
            """,
            Map.of());
    String slow =
        submit(
            """
            name: Slow
            action: { kind: shell, command: "sleep 30" }
            timeout: 1m
            retries: 3
            deadline: 1s
            """,
            Map.of());
    String bounded =
        submit(
            """
            name: Bounded
            type: parallel
            timeout: 1s
            steps:
              - name: Forever
                action: { kind: shell, command: "sleep 30" }
              - name: Quick
                action: { kind: noop }
            """,
            Map.of());
    WorkflowResult u = stack.awaitResult(usage, WAIT);
    assertThat(u.status()).isEqualTo(RunStatus.FAILED);
    assertThat(step(u, "Usage").attempts()).hasSize(1);
    assertThat(u.errors().get(0).message()).contains("exit code 64 is nonRetryable");

    WorkflowResult s = stack.awaitResult(slow, WAIT);
    assertThat(step(s, "Slow").status()).isEqualTo(StepStatus.TIMEOUT);
    assertThat(s.duration()).as("ms: the deadline, not the 30 s sleep").isLessThan(15_000);

    WorkflowResult b = stack.awaitResult(bounded, WAIT);
    assertThat(b.status()).isEqualTo(RunStatus.FAILED);
    assertThat(step(b, "Forever").status()).isEqualTo(StepStatus.CANCELLED);
    assertThat(step(b, "Quick").status()).isEqualTo(StepStatus.SUCCESS);
    assertThat(b.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).startsWith("run timeout"));
    assertThat(b.duration()).isLessThan(15_000);
  }

  @Test
  void shouldLetOneRunAtATimeHoldAConcurrencyKeyAndQueueTheOthersInOrder() {
    String yaml =
        """
        name: Deploy prod
        type: sequential
        concurrency: { key: "deploy-${{ inputs.env }}" }
        inputs: { env: prod }
        steps:
          - name: Roll out
            action: { kind: shell, command: "sleep 0.4" }
        """;
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(submit(yaml, Map.of()));
    }
    String other = submit(yaml, Map.of("env", TextNode.valueOf("staging")));
    List<long[]> held = new ArrayList<>();
    for (String runId : runs) {
      assertThat(stack.awaitResult(runId, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
      List<WorkflowEvent> events = stack.eventsOfEnded(runId);
      long from =
          TestStack.at(
              events, e -> e.type() == EventType.STEP_START && e.path().equals("Deploy prod"));
      long to = TestStack.at(events, e -> e.type() == EventType.WORKFLOW_COMPLETE);
      held.add(new long[] {from, to});
    }
    assertThat(stack.awaitResult(other, WAIT).status()).isEqualTo(RunStatus.SUCCESS);
    held.sort((x, y) -> Long.compare(x[0], y[0]));
    for (int i = 1; i < held.size(); i++) {
      assertThat(held.get(i)[0])
          .as("run %d starts after the one before it ended", i)
          .isGreaterThanOrEqualTo(held.get(i - 1)[1]);
    }
    long queued =
        runs.stream()
            .filter(r -> stack.events(r).stream().anyMatch(e -> e.type() == EventType.STEP_QUEUED))
            .count();
    assertThat(queued).as("runs that waited for the key").isGreaterThanOrEqualTo(3);
    assertThat(stack.events(other)).noneMatch(e -> e.type() == EventType.STEP_QUEUED);
  }

  private static void signal(String runId, String step, String decision, String by, String c) {
    stack.send(runId, Json.write(new IntakeMessage.Signal(runId, step, decision, by, c)));
  }

  /** The most iterations (steps named {@code prefix...}) running at once, from the events. */
  private static int mostAtOnce(List<WorkflowEvent> events, String prefix) {
    int running = 0;
    int most = 0;
    for (WorkflowEvent e : events) {
      if (e.step() == null || !e.step().startsWith(prefix)) {
        continue;
      }
      if (e.type() == EventType.STEP_START) {
        most = Math.max(most, ++running);
      } else if (e.type() == EventType.STEP_COMPLETE
          || e.type() == EventType.STEP_FAILED
          || e.type() == EventType.STEP_CANCELLED) {
        running--;
      }
    }
    return most;
  }

  @Test
  void shouldRunTheExamplesThatShowTheNewFeaturesUnattended() throws Exception {
    stack.agent("agent-pools", "build", "deploy");
    Path dir = Path.of("../examples");
    String release =
        stack.submit(
            dir.resolve("microservices-release.yaml"),
            Map.of("services", list("api", "web", "billing", "search")));
    String deployment = stack.submit(dir.resolve("deployment.yaml"), Map.of());
    WorkflowResult r = stack.awaitResult(release, WAIT);
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(step(r, "Deploy[3]").result().get("deployed").asText()).isEqualTo("search");
    assertThat(step(r, "Deploy[0]").result().get("replicas").asInt()).isEqualTo(5);
    assertThat(step(r, "Deploy[2]").result().get("replicas").asInt())
        .as("no replicas given for billing: one")
        .isEqualTo(1);
    WorkflowResult d = stack.awaitResult(deployment, Duration.ofMinutes(2));
    assertThat(d.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(step(d, "Approve Production").status())
        .as("no approval asked unless requireApproval")
        .isEqualTo(StepStatus.SKIPPED);
  }
}
