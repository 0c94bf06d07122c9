package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same workflow run many times at once, as users do (one release per service, the same deploy
 * submitted twice in a minute): every run ends, and every step of every run runs exactly once.
 * Coordinator and agents are processes of their own, as an operator starts them.
 */
class ManyRunsTest {
  static TestStack stack;
  static Child coordinator;
  final List<Child> agents = new ArrayList<>();

  @BeforeAll
  static void startCoordinator() throws Exception {
    stack = new TestStack(false);
    // three partitions per topic: three agents of the pool can each hold one
    coordinator = stack.coordinatorProcess("coordinator", "--http-port", "0", "--partitions", "3");
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
    agents.clear();
  }

  private void agent(String id, int maxConcurrent) throws Exception {
    agents.add(
        stack.agentProcess(
            id, "--pool", "default", "--max-concurrent", Integer.toString(maxConcurrent)));
  }

  /** Two steps; each appends "RUN PATH" to {@code log} when it runs, then the first sleeps. */
  private static String twoSteps(Path log, String sleep) {
    return """
        name: Release
        type: sequential
        steps:
          - name: Build
            action: { kind: shell, command: 'echo "$WF_RUN_ID $WF_STEP_PATH" >> "$1"; sleep %s', args: ["%s"] }
          - name: Ship
            action: { kind: shell, command: 'echo "$WF_RUN_ID $WF_STEP_PATH" >> "$1"', args: ["%s"] }
        """
        .formatted(sleep, log, log);
  }

  @Test
  void shouldRunTheSecondSubmissionOfAWorkflowWhileTheFirstIsRunningItsStep() throws Exception {
    agent("solo", 4);
    Path log = stack.dir().resolve("twice.log");
    String yaml = twoSteps(log, "2");
    String first = stack.submitYaml(yaml);
    stack.awaitEvent(
        first,
        e -> e.type() == EventType.STEP_START && "Build".equals(e.step()),
        Duration.ofSeconds(60));
    String second = stack.submitYaml(yaml);

    assertThat(stack.awaitResult(first, Duration.ofSeconds(60)).status())
        .isEqualTo(RunStatus.SUCCESS);
    WorkflowResult r = stack.awaitResult(second, Duration.ofSeconds(60));
    assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(r.steps()).extracting(s -> s.agent()).containsOnly("solo", null);
    assertEachStepRanOnce(log, List.of(first, second));
  }

  @Test
  void shouldFinishEveryRunOfABurstOfOneWorkflowWithGarbageBetweenOnOneAgent() throws Exception {
    agent("one", 8);
    burst(20, "one.log", List.of("one"));
  }

  @Test
  void shouldFinishEveryRunOfABurstOfOneWorkflowSharedBySeveralAgents() throws Exception {
    agent("a", 4);
    agent("b", 4);
    agent("c", 4);
    awaitPoolMembersWithWork(3);
    burst(30, "several.log", List.of("a", "b", "c"));
  }

  @Test
  void shouldGrowAPoolsDispatchTopicMadeWithOnePartitionSoThatAgentsCanShareIt() throws Exception {
    String topic = stack.topics().dispatch("narrow");
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      // as an agent of an older version, or an operator, might have made it
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      agents.add(stack.agentProcess("narrow-1", "--pool", "narrow"));
      String runId =
          stack.submitYaml(
              """
              name: Narrow
              agent: { pool: narrow }
              action: { kind: noop }
              """);
      assertThat(stack.awaitResult(runId, Duration.ofSeconds(60)).status())
          .isEqualTo(RunStatus.SUCCESS);
      int partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
      assertThat(partitions).as("partitions of " + topic).isEqualTo(3);
    }
  }

  /** Waits until {@code n} agents of the default pool each hold dispatch partitions. */
  private static void awaitPoolMembersWithWork(int n) throws Exception {
    String group = stack.topics().prefix() + "agents.default";
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    try (Admin admin = Admin.create(p)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      long withWork = 0;
      while (withWork < n && System.nanoTime() < deadline) {
        withWork =
            admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                .filter(m -> !m.assignment().topicPartitions().isEmpty())
                .count();
        Thread.sleep(100);
      }
      assertThat(withWork).as("agents of the pool holding partitions").isEqualTo(n);
    }
  }

  private void burst(int runs, String logName, List<String> agentIds) throws Exception {
    Path log = stack.dir().resolve(logName);
    String yaml = twoSteps(log, "0.5");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      ids.add(stack.submitYaml(yaml));
      stack.send("garbage-" + i, "{not json".getBytes(StandardCharsets.UTF_8));
    }
    List<String> agentsUsed = new ArrayList<>();
    for (String id : ids) {
      WorkflowResult r = stack.awaitResult(id, Duration.ofSeconds(120));
      assertThat(r.status()).as("run " + id).isEqualTo(RunStatus.SUCCESS);
      assertThat(r.steps()).as("run " + id).hasSize(3);
      r.steps().stream().filter(s -> s.agent() != null).forEach(s -> agentsUsed.add(s.agent()));
      List<WorkflowEvent> events = stack.events(id);
      Map<String, Long> starts =
          events.stream()
              .filter(e -> e.type() == EventType.STEP_START)
              .collect(Collectors.groupingBy(WorkflowEvent::path, Collectors.counting()));
      assertThat(starts)
          .as("step:start per path of " + id)
          .containsOnlyKeys("Release", "Release.sequential[0]", "Release.sequential[1]");
      assertThat(starts.values()).as("step:start per path of " + id).containsOnly(1L);
    }
    assertThat(agentsUsed).isSubsetOf(agentIds);
    if (agentIds.size() > 1) {
      assertThat(agentsUsed.stream().distinct().count())
          .as("agents that ran steps")
          .isGreaterThan(1);
    }
    assertEachStepRanOnce(log, ids);
  }

  private static void assertEachStepRanOnce(Path log, List<String> runIds) throws Exception {
    Map<String, Long> ran =
        Files.readAllLines(log).stream()
            .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    for (String id : runIds) {
      assertThat(ran.get(id + " Release.sequential[0]")).as("Build of " + id).isEqualTo(1L);
      assertThat(ran.get(id + " Release.sequential[1]")).as("Ship of " + id).isEqualTo(1L);
    }
    assertThat(ran).hasSize(2 * runIds.size());
  }
}
