package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code wf watch} on a real run: the live tree when asked for (as on a terminal), the lines of an
 * event each otherwise (as in a pipe, which is what a test's output is).
 */
class WatchTreeTest {
  static TestStack stack;
  static String runId;

  @BeforeAll
  static void run() throws Exception {
    stack = new TestStack();
    stack.agent("tree-1", "default");
    runId =
        stack.submitYaml(
            """
            name: Release
            type: sequential
            steps:
              - name: Checks
                type: parallel
                steps:
                  - name: Lint
                    action: { kind: noop }
                  - name: Flaky
                    retries: 1
                    backoff: { initial: 10ms }
                    onError: continue
                    action: { kind: shell, command: 'echo broken >&2; exit 4' }
              - name: Ship
                action: { kind: shell, command: 'echo shipped' }
            """);
    assertThat(stack.awaitResult(runId, Duration.ofSeconds(60)).success()).isTrue();
    stack.eventsOfEnded(runId);
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  private static CliTest.Ran watch(String... flags) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "watch",
                runId,
                "--bootstrap",
                stack.bootstrap(),
                "--topic-prefix",
                stack.topics().prefix()));
    args.addAll(List.of(flags));
    return CliTest.wf(args.toArray(String[]::new));
  }

  @Test
  void shouldDrawTheRunAsATreeThatRedrawsInPlace() {
    CliTest.Ran r = watch("--tree");
    assertThat(r.code()).isZero();
    assertThat(r.err()).as("it clears what it drew before drawing again").contains("\u001b[J");
    String err = r.err();
    // Each redraw goes up exactly as many lines as the frame before it had, then clears.
    String[] frames = err.split("\u001b\\[J", -1);
    assertThat(frames.length).as("a first frame at once, and the last one").isGreaterThan(2);
    for (int i = 1; i < frames.length - 1; i++) {
      long drawn = frames[i].chars().filter(c -> c == '\n').count();
      assertThat(frames[i]).as("frame " + i).endsWith("\r\u001b[" + drawn + "A");
    }
    // The last frame, without its colours, as a person reads it at the end.
    String frame =
        err.substring(err.lastIndexOf("\u001b[J") + 3).replaceAll("\u001b\\[[0-9;]*m", "");
    List<String> lines = frame.lines().toList();
    assertThat(lines.get(0)).startsWith("run " + runId + "  success  ");
    assertThat(lines.get(1)).startsWith("✔ Release  ");
    // Flaky fails under onError: continue, so its group goes on and succeeds
    assertThat(lines.get(2)).startsWith("├─✔ Checks  ");
    assertThat(lines.get(3)).startsWith("│ ├─✔ Lint  ").contains("on tree-1");
    assertThat(lines.get(4))
        .startsWith("│ └─✖ Flaky  ")
        .contains("failed  on tree-1  attempt 2  exit 4: broken");
    assertThat(lines.get(5)).startsWith("└─✔ Ship  ").contains("on tree-1");
    assertThat(err).contains("Release: success in");
  }

  @Test
  void shouldPrintALinePerEventWhenNotOnATerminal() {
    CliTest.Ran r = watch();
    assertThat(r.code()).isZero();
    assertThat(r.err())
        .doesNotContain("\u001b[")
        .contains("step:retry")
        .contains("workflow:complete");
    CliTest.Ran plain = watch("--plain");
    assertThat(plain.code()).isZero();
    assertThat(plain.err()).doesNotContain("\u001b[").contains("step:retry");
  }

  @Test
  void shouldRefuseTreeAndPlainTogether() {
    CliTest.Ran r = watch("--tree", "--plain");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--tree and --plain exclude each other");
  }
}
