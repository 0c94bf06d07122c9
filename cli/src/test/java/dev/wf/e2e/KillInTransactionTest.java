package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The coordinator dies (kill -9) with a Kafka transaction open: it has written the dispatches and
 * events of a step report, and not committed them. What it wrote is aborted, so no agent runs it
 * and no dashboard (reading read_committed, as agents do) ever shows it; the instance that takes
 * the run over writes it again, once. Every run of a burst of the same workflow ends, each step
 * runs exactly once, each run has one result and each step one start and one completion.
 *
 * <p>The coordinator commits within a millisecond of writing a dispatch, so {@link
 * HoldOpenTransaction} stalls it in that window. A coordinator that wrote a dispatch or an event
 * outside its transaction fails here: the record the test saw before the kill stays readable, and
 * the restarted coordinator writes it again (counted twice); an agent that read uncommitted
 * dispatches runs a step before its committed dispatch exists.
 */
class KillInTransactionTest {
  private static final int RUNS = 5;
  private static final String BUILD = "Release.sequential[0]";
  private static final List<String> LEAVES =
      List.of(
          BUILD,
          "Release.sequential[1].parallel[0]",
          "Release.sequential[1].parallel[1]",
          "Release.sequential[1].parallel[2]",
          "Release.sequential[2]");
  private static final List<String> STEPS =
      List.of(
          "Release",
          LEAVES.get(0),
          "Release.sequential[1]",
          LEAVES.get(1),
          LEAVES.get(2),
          LEAVES.get(3),
          LEAVES.get(4));

  @Test
  void shouldAbortWhatAKilledCoordinatorLeftUncommittedAndRunEveryStepOnceAfterItsRestart()
      throws Exception {
    try (TestStack stack = new TestStack(false);
        Child first = stack.coordinatorProcess("coordinator", holding(stack))) {
      awaitLog(first, "coordinator running");
      stack.agent("worker", c -> c.withMaxConcurrent(4 * RUNS), "default");
      Kill kill = submitAndKillInTransaction(stack, List.of(first));
      // the restart writes its own log over this one
      Files.writeString(stack.dir().resolve("logs/coordinator-killed.log"), kill.log());
      assertThat(kill.log()).contains("run " + kill.dispatch().runId() + " started");
      // the same instance again (same state directory), without the hold
      try (Child restarted =
          stack.coordinatorProcess("coordinator", "--http-port", "0", "--partitions", "4")) {
        assertEveryRunCompletedOnce(stack, kill);
        assertThat(restarted.log()).doesNotContain("run " + kill.dispatch().runId() + " started");
      }
    }
  }

  @Test
  void shouldLetTheOtherInstanceFinishTheRunsOfOneKilledWithATransactionOpen() throws Exception {
    try (TestStack stack = new TestStack(false);
        Child a = stack.coordinatorProcess("coordinator-a", holding(stack));
        Child b = stack.coordinatorProcess("coordinator-b", holding(stack))) {
      awaitLog(a, "coordinator running");
      awaitLog(b, "coordinator running");
      stack.agent("worker", c -> c.withMaxConcurrent(4 * RUNS), "default");
      Kill kill = submitAndKillInTransaction(stack, List.of(a, b));
      Child survivor = kill.killed() == a ? b : a;
      String runId = kill.dispatch().runId();
      assertThat(kill.log()).contains("run " + runId + " started");
      assertEveryRunCompletedOnce(stack, kill);
      assertThat(survivor.log())
          .doesNotContain("run " + runId + " started")
          .contains("run " + runId + " ended success");
    }
  }

  /** Options of a coordinator process that holds its first parallel dispatch's transaction. */
  private static String[] holding(TestStack stack) throws IOException {
    Path config = stack.dir().resolve("hold.properties");
    Files.writeString(
        config, "producer.interceptor.classes=" + HoldOpenTransaction.class.getName() + "\n");
    return new String[] {
      "--http-port", "0", "--partitions", "4", "--kafka-config", config.toString()
    };
  }

  /**
   * Build, three checks at once, ship; each step appends "RUN PATH MILLIS" to {@code log} when it
   * runs.
   */
  private static String release(Path log) {
    String action =
        "{ kind: shell, command: 'echo \"$WF_RUN_ID $WF_STEP_PATH $(date +%%s%%3N)\" >> \"$1\"',"
            + " args: [\"%s\"] }";
    String run = action.formatted(log);
    return """
        name: Release
        type: sequential
        steps:
          - { name: Build, action: %s }
          - name: Checks
            type: parallel
            steps:
              - { name: Unit, action: %s }
              - { name: Lint, action: %s }
              - { name: Docs, action: %s }
          - { name: Ship, action: %s }
        """
        .formatted(run, run, run, run, run);
  }

  /**
   * What the test saw of the kill: the dispatch it saw uncommitted, the instance that had written
   * it (and its log up to its death), and every dispatch and event on the broker at that time.
   */
  private record Kill(
      List<String> runs,
      Path steps,
      ConsumerRecord<String, byte[]> held,
      Dispatch dispatch,
      Child killed,
      String log,
      long at,
      List<ConsumerRecord<String, byte[]>> written) {}

  /**
   * Submits the runs and kill -9s the coordinator the instant a read_uncommitted consumer sees the
   * first dispatch of a parallel group, with the transaction that carries it still open.
   */
  private static Kill submitAndKillInTransaction(TestStack stack, List<Child> coordinators)
      throws Exception {
    Path steps = stack.dir().resolve("steps.log");
    String dispatches = stack.topics().dispatch("default");
    try (KafkaConsumer<String, byte[]> uncommitted = consumer(stack, "read_uncommitted")) {
      List<TopicPartition> parts =
          assignFromStart(uncommitted, dispatches, stack.topics().events());
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < RUNS; i++) {
        runs.add(stack.submitYaml(release(steps)));
      }
      List<ConsumerRecord<String, byte[]>> written = new ArrayList<>();
      ConsumerRecord<String, byte[]> held = null;
      long deadline = System.currentTimeMillis() + 60_000;
      while (held == null) {
        assertThat(System.currentTimeMillis())
            .as("a parallel step dispatched")
            .isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : uncommitted.poll(Duration.ofMillis(50))) {
          written.add(r);
          if (held == null
              && r.topic().equals(dispatches)
              && dispatch(r).path().contains(".parallel[")) {
            held = r;
          }
        }
      }
      Dispatch d = dispatch(held);
      Child holder =
          awaitLog(coordinators, HoldOpenTransaction.HOLDING + " " + d.runId() + " " + d.path());
      holder.kill9();
      long killedAt = System.currentTimeMillis();
      written.addAll(readToEnd(uncommitted, parts));
      assertThat(runs).contains(d.runId());
      return new Kill(runs, steps, held, d, holder, holder.log(), killedAt, written);
    }
  }

  private static void assertEveryRunCompletedOnce(TestStack stack, Kill kill) throws Exception {
    for (String runId : kill.runs()) {
      WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(60));
      assertThat(r.status()).as(runId).isEqualTo(RunStatus.SUCCESS);
      assertThat(r.steps()).as("steps of " + runId).hasSize(STEPS.size());
    }
    String dispatches = stack.topics().dispatch("default");
    List<ConsumerRecord<String, byte[]>> committed;
    try (KafkaConsumer<String, byte[]> c = consumer(stack, "read_committed")) {
      committed =
          readToEnd(
              c, assignFromStart(c, dispatches, stack.topics().events(), stack.topics().results()));
    }
    Set<String> visible =
        committed.stream().map(KillInTransactionTest::where).collect(Collectors.toSet());

    // The kill hit an open transaction: the dispatch and the events written with it are gone.
    List<ConsumerRecord<String, byte[]>> aborted =
        kill.written().stream().filter(r -> !visible.contains(where(r))).toList();
    assertThat(aborted).extracting(KillInTransactionTest::where).contains(where(kill.held()));
    assertThat(
            aborted.stream()
                .filter(r -> r.topic().equals(stack.topics().events()))
                .map(r -> describe(event(r))))
        .as("aborted events of " + kill.dispatch().runId())
        .contains(kill.dispatch().runId() + " step:complete " + BUILD);

    List<String> steps = new ArrayList<>();
    List<String> events = new ArrayList<>();
    for (String runId : kill.runs()) {
      LEAVES.forEach(p -> steps.add(runId + " " + p));
      STEPS.forEach(p -> events.add(runId + " step:start " + p));
      STEPS.forEach(p -> events.add(runId + " step:complete " + p));
      events.add(runId + " workflow:start");
      events.add(runId + " workflow:complete");
    }
    assertOnceEach(
        "dispatches, as agents read them",
        committed.stream()
            .filter(r -> r.topic().equals(dispatches))
            .map(r -> r.key() + " " + dispatch(r).path()),
        steps);
    assertOnceEach(
        "events, as a dashboard reads them",
        committed.stream()
            .filter(r -> r.topic().equals(stack.topics().events()))
            .map(r -> event(r))
            .filter(e -> COUNTED.contains(e.type()))
            .map(KillInTransactionTest::describe),
        events);
    assertOnceEach(
        "results",
        committed.stream()
            .filter(r -> r.topic().equals(stack.topics().results()))
            .map(ConsumerRecord::key),
        kill.runs());

    // Each step ran once, from the dispatch agents could read: no step ran before it was written.
    // The step the test saw dispatched uncommitted was dispatched again after the kill; an agent
    // that ran the aborted dispatch would have run it seconds before that.
    Map<String, Long> dispatchedAt =
        committed.stream()
            .filter(r -> r.topic().equals(dispatches))
            .map(KillInTransactionTest::dispatch)
            .collect(Collectors.toMap(d -> d.runId() + " " + d.path(), Dispatch::dispatchedAt));
    List<String[]> ran = Files.readAllLines(kill.steps()).stream().map(l -> l.split(" ")).toList();
    assertOnceEach("steps run", ran.stream().map(l -> l[0] + " " + l[1]), steps);
    assertThat(
            ran.stream()
                .filter(l -> Long.parseLong(l[2]) < dispatchedAt.get(l[0] + " " + l[1]))
                .map(l -> String.join(" ", l)))
        .as("steps run before their committed dispatch was written")
        .isEmpty();
    assertThat(dispatchedAt.get(kill.dispatch().runId() + " " + kill.dispatch().path()))
        .as("when the held step was dispatched again")
        .isGreaterThan(kill.at());
  }

  private static void assertOnceEach(String what, Stream<String> seen, List<String> expected) {
    Map<String, Long> counts =
        seen.collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(counts.entrySet().stream().filter(e -> e.getValue() != 1).toList())
        .as(what + " seen more than once")
        .isEmpty();
    assertThat(counts.keySet()).as(what).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static final Set<EventType> COUNTED =
      Set.of(
          EventType.WORKFLOW_START,
          EventType.STEP_START,
          EventType.STEP_COMPLETE,
          EventType.WORKFLOW_COMPLETE);

  private static String describe(WorkflowEvent e) {
    return e.type() == EventType.STEP_START || e.type() == EventType.STEP_COMPLETE
        ? e.runId() + " " + e.type().wire() + " " + e.path()
        : e.runId() + " " + e.type().wire();
  }

  private static String where(ConsumerRecord<String, byte[]> r) {
    return r.topic() + "-" + r.partition() + "@" + r.offset();
  }

  private static Dispatch dispatch(ConsumerRecord<String, byte[]> r) {
    try {
      return Json.read(r.value(), Dispatch.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static WorkflowEvent event(ConsumerRecord<String, byte[]> r) {
    try {
      return Json.read(r.value(), WorkflowEvent.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KafkaConsumer<String, byte[]> consumer(TestStack stack, String isolation) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "20");
    return new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static List<TopicPartition> assignFromStart(
      KafkaConsumer<String, byte[]> consumer, String... topics) {
    List<TopicPartition> parts = new ArrayList<>();
    for (String t : topics) {
      List<TopicPartition> of =
          consumer.partitionsFor(t, Duration.ofSeconds(10)).stream()
              .map(p -> new TopicPartition(t, p.partition()))
              .toList();
      assertThat(of).as("partitions of " + t).isNotEmpty();
      parts.addAll(of);
    }
    consumer.assign(parts);
    consumer.seekToBeginning(parts);
    return parts;
  }

  /** Everything up to the end of {@code parts} as the consumer's isolation level sees it. */
  private static List<ConsumerRecord<String, byte[]>> readToEnd(
      KafkaConsumer<String, byte[]> consumer, List<TopicPartition> parts) {
    Map<TopicPartition, Long> end = consumer.endOffsets(parts);
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + 30_000;
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      assertThat(System.currentTimeMillis()).as("read to the end").isLessThan(deadline);
      consumer.poll(Duration.ofMillis(100)).forEach(out::add);
    }
    return out;
  }

  private static void awaitLog(Child child, String line) throws InterruptedException {
    awaitLog(List.of(child), line);
  }

  /** The first of {@code children} whose output shows {@code line}. */
  private static Child awaitLog(List<Child> children, String line) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (true) {
      for (Child c : children) {
        if (c.log().contains(line)) {
          return c;
        }
      }
      assertThat(System.currentTimeMillis()).as("a process logging: " + line).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
