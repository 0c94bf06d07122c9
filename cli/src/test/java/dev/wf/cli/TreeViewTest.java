package dev.wf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The live tree of {@code wf watch} and {@code wf run}, drawn from events at a given time. */
class TreeViewTest {
  private static final long T0 = Instant.parse("2026-11-30T10:00:00Z").toEpochMilli();
  private final RunTree tree = new RunTree("r1");

  /** An event of run r1 at {@code T0 + ms}. */
  private static WorkflowEvent.Builder ev(EventType t, String path, String name) {
    return WorkflowEvent.of(t, "r1").step(path, name);
  }

  private void at(long ms, WorkflowEvent.Builder b) {
    tree.apply(b.at(Instant.ofEpochMilli(T0 + ms).toString()));
  }

  private List<String> draw(long nowMs, int rows, int columns) {
    return new TreeView(rows, columns, false).render(tree, T0 + nowMs);
  }

  private void start(long ms, String path, String name) {
    at(ms, ev(EventType.STEP_START, path, name).attempt(1));
  }

  private void startRun(String root) {
    at(0, ev(EventType.WORKFLOW_START, root, root));
    start(0, root, root);
  }

  @Test
  void shouldNestStepsUnderTheirGroupsInTheirOrder() {
    startRun("Deploy");
    start(1000, "Deploy.sequential[0]", "Checks");
    start(2000, "Deploy.sequential[0].parallel[1]", "Test");
    start(2000, "Deploy.sequential[0].parallel[0]", "Lint");
    at(
        3200,
        ev(EventType.STEP_COMPLETE, "Deploy.sequential[0].parallel[0]", "Lint")
            .agent("a1")
            .duration(1200)
            .attempt(1));
    assertThat(draw(5000, 24, 80))
        .containsExactly(
            "run r1  running  5.0s  1 running  1 success",
            "● Deploy  5.0s",
            "└─● Checks  4.0s",
            "  ├─✔ Lint  1.2s  on a1",
            "  └─● Test  3.0s");
  }

  @Test
  void shouldShowRetriesAttemptsAndTheError() {
    startRun("Build");
    at(
        500,
        ev(EventType.STEP_RETRY, "Build", "Build")
            .attempt(1)
            .agent("a1")
            .delay(1000)
            .error("exit 1: boom"));
    assertThat(draw(1000, 24, 80))
        .contains("↻ Build  1.0s  retrying  on a1  attempt 2  exit 1: boom");
    at(
        2000,
        ev(EventType.STEP_FAILED, "Build", "Build")
            .attempt(2)
            .agent("a2")
            .duration(2000)
            .error("exit 1: boom again"));
    at(2000, ev(EventType.WORKFLOW_FAILED, "Build", "Build").error("exit 1: boom again"));
    at(
        2000,
        ev(EventType.WORKFLOW_COMPLETE, "Build", "Build")
            .result(Json.MAPPER.createObjectNode().put("status", "failed")));
    assertThat(draw(9000, 24, 80))
        .containsExactly(
            "run r1  failed  2.0s  1 failed  exit 1: boom again",
            "✖ Build  2.0s  failed  on a2  attempt 2  exit 1: boom again");
  }

  @Test
  void shouldSayWhatAWaitingStepWaitsFor() {
    startRun("Release");
    at(
        100,
        ev(EventType.STEP_QUEUED, "Release.sequential[0]", "Ship")
            .reason("concurrency key deploy-prod held by run r0"));
    at(200, ev(EventType.STEP_START, "Release.sequential[1]", "Approve").attempt(1));
    at(200, ev(EventType.STEP_APPROVAL, "Release.sequential[1]", "Approve").message("Ship it?"));
    assertThat(draw(1100, 24, 100))
        .contains(
            "├─◷ Ship  1.0s  waiting  concurrency key deploy-prod held by run r0",
            "└─◷ Approve  900ms  waiting  approval: Ship it?");
  }

  @Test
  void shouldStartAGroupThatRunsAgainWithoutItsOldChildren() {
    startRun("Root");
    start(0, "Root.sequential[0]", "Try");
    at(100, ev(EventType.STEP_FAILED, "Root.sequential[0]", "Try").duration(100).error("no"));
    at(100, ev(EventType.STEP_RETRY, "Root", "Root").attempt(1).delay(10).error("no"));
    assertThat(draw(200, 24, 80))
        .containsExactly(
            "run r1  running  200ms  1 retrying", "↻ Root  200ms  retrying  attempt 2  no");
  }

  @Test
  void shouldFoldFinishedGroupsWhenTheTreeIsTallerThanTheTerminal() {
    startRun("Root");
    for (int g = 0; g < 4; g++) {
      String group = "Root.sequential[" + g + "]";
      start(0, group, "Group " + g);
      for (int i = 0; i < 10; i++) {
        start(0, group + ".parallel[" + i + "]", "Step " + g + "." + i);
        if (g < 3) {
          at(
              100,
              ev(EventType.STEP_COMPLETE, group + ".parallel[" + i + "]", "Step " + g + "." + i)
                  .duration(100));
        }
      }
      if (g < 3) {
        at(100, ev(EventType.STEP_COMPLETE, group, "Group " + g).duration(100));
      }
    }
    List<String> lines = draw(1000, 20, 80);
    assertThat(lines).hasSizeLessThanOrEqualTo(20);
    assertThat(lines).contains("├─✔ Group 0  (10 steps)  100ms", "└─● Group 3  1.0s");
    assertThat(lines).contains("  ├─● Step 3.0  1.0s", "  └─● Step 3.9  1.0s");
  }

  @Test
  void shouldFitATenThousandStepRunIntoTheTerminalShowingWhatStillRuns() {
    startRun("Fan");
    for (int i = 0; i < 10_000; i++) {
      start(0, "Fan.parallel[" + i + "]", "Item " + i);
      if (i % 1000 != 7) {
        at(50, ev(EventType.STEP_COMPLETE, "Fan.parallel[" + i + "]", "Item " + i).duration(50));
      }
    }
    List<String> lines = draw(2000, 24, 60);
    assertThat(lines).hasSizeLessThanOrEqualTo(24).allMatch(l -> l.length() < 60);
    assertThat(lines.get(0)).isEqualTo("run r1  running  2.0s  10 running  9990 success");
    assertThat(lines).contains("├─● Item 7  2.0s", "├─● Item 9007  2.0s");
    assertThat(lines).last().isEqualTo("└─ … 9990 finished steps not shown");
  }

  @Test
  void shouldCutWhatStillDoesNotFitAndSayHowMuch() {
    startRun("Fan");
    for (int i = 0; i < 100; i++) {
      start(0, "Fan.parallel[" + i + "]", "Item " + i);
    }
    List<String> lines = draw(1000, 24, 80);
    assertThat(lines).hasSize(24);
    assertThat(lines.get(1)).isEqualTo("● Fan  1.0s");
    assertThat(lines).last().isEqualTo("… 79 more lines");
  }

  @Test
  void shouldCutLongLinesToTheWidthOfTheTerminal() {
    startRun("Root");
    at(10, ev(EventType.STEP_FAILED, "Root", "Root").duration(10).error("x".repeat(500)));
    assertThat(draw(100, 24, 40)).allMatch(l -> l.length() < 40).last().asString().endsWith("…");
  }

  @Test
  void shouldColourOnlyTheSymbol() {
    startRun("Root");
    at(10, ev(EventType.STEP_COMPLETE, "Root", "Root").duration(10));
    assertThat(new TreeView(24, 80, true).render(tree, T0 + 100))
        .contains("\u001b[32m✔\u001b[0m Root  10ms");
  }

  @Test
  void shouldWriteDurationsForPeople() {
    assertThat(TreeView.duration(850)).isEqualTo("850ms");
    assertThat(TreeView.duration(4_250)).isEqualTo("4.3s");
    assertThat(TreeView.duration(185_000)).isEqualTo("3m05s");
    assertThat(TreeView.duration(3_720_000)).isEqualTo("1h02m");
  }
}
