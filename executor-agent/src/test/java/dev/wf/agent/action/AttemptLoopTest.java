package dev.wf.agent.action;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.NonRetryable;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.result.AttemptStatus;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's attempt loop: retries with the dispatch's backoff, stops at failures the step calls
 * nonRetryable and at its deadline, and cancels.
 */
class AttemptLoopTest {
  @TempDir Path work;
  private final AttemptLoop loop = new AttemptLoop(new ActionRunner(Set.of(), 300));

  /** What the loop reported, in order. */
  private static final class Heard implements AttemptLoop.Reports {
    final List<String> said = new CopyOnWriteArrayList<>();
    final List<Long> delays = new CopyOnWriteArrayList<>();
    volatile AttemptOutcome last;

    @Override
    public void started(int attempt) {
      said.add("started " + attempt);
    }

    @Override
    public void retrying(int attempt, AttemptOutcome failed, long delayMs) {
      said.add("retrying " + attempt + " " + failed.status().word());
      delays.add(delayMs);
    }

    @Override
    public void finished(int attempt, AttemptOutcome outcome) {
      said.add("finished " + attempt + " " + outcome.status().word());
      last = outcome;
    }
  }

  private static Dispatch dispatch(String actionJson, int maxAttempts, long initialMs)
      throws Exception {
    return dispatch(actionJson, maxAttempts, initialMs, null, null);
  }

  private static Dispatch dispatch(
      String actionJson, int maxAttempts, long initialMs, NonRetryable stop, Long deadlineAt)
      throws Exception {
    return new Dispatch(
        "run-1",
        "1:Root",
        "Root",
        "Root",
        "default",
        Json.MAPPER.readTree(actionJson),
        10_000,
        1,
        maxAttempts,
        new Dispatch.Backoff(initialMs, 2.0, 60_000, 0),
        "run-1:Root",
        0,
        stop,
        deadlineAt,
        null);
  }

  @Test
  void shouldRetryAFailingActionUpToItsAttemptsWithGrowingBackoff() throws Exception {
    Path count = work.resolve("count");
    Heard heard = new Heard();
    loop.run(
        dispatch(
            """
            {"kind":"shell","command":"echo x >> \\"$1\\"; exit 1","args":["%s"]}"""
                .formatted(count),
            3,
            50),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said)
        .containsExactly(
            "started 1",
            "retrying 1 failed",
            "started 2",
            "retrying 2 failed",
            "started 3",
            "finished 3 failed");
    assertThat(heard.delays).containsExactly(50L, 100L);
    assertThat(Files.readAllLines(count)).hasSize(3);
  }

  @Test
  void shouldStopRetryingOnceAnAttemptSucceeds() throws Exception {
    Path marker = work.resolve("marker");
    Heard heard = new Heard();
    loop.run(
        dispatch(
            """
            {"kind":"shell","command":"if [ -e \\"$1\\" ]; then echo '{\\"ok\\":true}'; else touch \\"$1\\"; exit 1; fi","args":["%s"]}"""
                .formatted(marker),
            5,
            10),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said)
        .containsExactly("started 1", "retrying 1 failed", "started 2", "finished 2 success");
    assertThat(heard.last.result().get("ok").asBoolean()).isTrue();
  }

  @Test
  void shouldEndCancelledWhenCancelledDuringTheBackoff() throws Exception {
    Heard heard = new Heard();
    Cancellation cancel = new Cancellation();
    Dispatch failing = dispatch("{\"kind\":\"shell\",\"command\":\"exit 1\"}", 3, 60_000);
    Thread t =
        new Thread(
            () -> {
              try {
                loop.run(failing, work, cancel, heard);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    long t0 = System.nanoTime();
    t.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!heard.said.contains("retrying 1 failed") && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(heard.said)
        .as("the first attempt failed and a retry waits")
        .contains("retrying 1 failed");
    cancel.cancel("run cancelled");
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat((System.nanoTime() - t0) / 1_000_000)
        .as("ms, not the 60 s backoff")
        .isLessThan(10_000);
    assertThat(heard.said)
        .containsExactly("started 1", "retrying 1 failed", "finished 1 cancelled");
    assertThat(heard.last.status()).isEqualTo(AttemptStatus.CANCELLED);
    assertThat(heard.last.error()).isEqualTo("cancelled: run cancelled");
  }

  @Test
  void shouldRunAKindAddedByAPluginOnTheClassPath() throws Exception {
    Heard heard = new Heard();
    loop.run(
        dispatch("{\"kind\":\"echo-plugin\",\"say\":\"hello from a plug-in\"}", 1, 10),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.last.status()).isEqualTo(AttemptStatus.SUCCESS);
    assertThat(heard.last.result().get("said").asText()).isEqualTo("hello from a plug-in");
    assertThat(heard.last.result().get("attempt").asInt()).isEqualTo(1);
  }

  @Test
  void shouldNotRetryAnExitCodeTheStepCallsNonRetryable() throws Exception {
    Heard heard = new Heard();
    NonRetryable stop = new NonRetryable(Set.of(2, 64), Set.of());
    loop.run(
        dispatch("{\"kind\":\"shell\",\"command\":\"exit 64\"}", 5, 10, stop, null),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said).containsExactly("started 1", "finished 1 failed");
    assertThat(heard.last.error()).isEqualTo("exit 64 (not retried: exit code 64 is nonRetryable)");
  }

  @Test
  void shouldStillRetryAnExitCodeNotListed() throws Exception {
    Heard heard = new Heard();
    NonRetryable stop = new NonRetryable(Set.of(2, 64), Set.of());
    loop.run(
        dispatch("{\"kind\":\"shell\",\"command\":\"exit 1\"}", 2, 10, stop, null),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said)
        .containsExactly("started 1", "retrying 1 failed", "started 2", "finished 2 failed");
  }

  @Test
  void shouldNotRetryAnHttpStatusTheStepCallsNonRetryable() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger calls = new AtomicInteger();
    server.createContext(
        "/",
        ex -> {
          calls.incrementAndGet();
          ex.sendResponseHeaders(404, -1);
          ex.close();
        });
    server.start();
    try {
      Heard heard = new Heard();
      String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/missing";
      loop.run(
          dispatch(
              "{\"kind\":\"http\",\"method\":\"GET\",\"url\":\"" + url + "\"}",
              4,
              10,
              new NonRetryable(Set.of(), Set.of(400, 404)),
              null),
          work,
          new Cancellation(),
          heard);
      assertThat(heard.said).containsExactly("started 1", "finished 1 failed");
      assertThat(heard.last.error())
          .contains("HTTP 404")
          .contains("HTTP status 404 is nonRetryable");
      assertThat(calls).hasValue(1);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void shouldKillTheAttemptRunningWhenTheDeadlineComesAndTimeOut() throws Exception {
    Heard heard = new Heard();
    long t0 = System.currentTimeMillis();
    loop.run(
        dispatch("{\"kind\":\"shell\",\"command\":\"sleep 30\"}", 3, 10, null, t0 + 700),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said).containsExactly("started 1", "finished 1 timeout");
    assertThat(heard.last.error()).isEqualTo("the step's deadline passed during attempt 1");
    assertThat(System.currentTimeMillis() - t0).as("ms, not the 30 s sleep").isLessThan(10_000);
  }

  @Test
  void shouldStartNoRetryWhoseBackoffEndsPastTheDeadline() throws Exception {
    Heard heard = new Heard();
    loop.run(
        dispatch(
            "{\"kind\":\"shell\",\"command\":\"exit 1\"}",
            5,
            60_000,
            null,
            System.currentTimeMillis() + 30_000),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said).containsExactly("started 1", "finished 1 timeout");
    assertThat(heard.last.error())
        .isEqualTo("the step's deadline comes before attempt 2 could start; last: exit 1");
  }

  @Test
  void shouldStartNothingOnceTheDeadlineHasPassed() throws Exception {
    Heard heard = new Heard();
    loop.run(
        dispatch("{\"kind\":\"noop\"}", 1, 10, null, System.currentTimeMillis() - 1),
        work,
        new Cancellation(),
        heard);
    assertThat(heard.said).containsExactly("finished 1 timeout");
  }
}
