package dev.wf.cli.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each open page is sent: its snapshot first, then only the deltas of what it watches. */
class LiveViewTest {
  private static final long T = Instant.parse("2026-11-30T12:00:00Z").toEpochMilli();
  private final LiveView view =
      new LiveView(new DashboardModel(100), Clock.fixed(Instant.ofEpochMilli(T), ZoneOffset.UTC));

  private static LiveView.Input start(String runId, String path, String name) {
    return new LiveView.Input.Event(
        WorkflowEvent.of(EventType.STEP_START, runId)
            .step(path, name)
            .attempt(1)
            .at(Instant.ofEpochMilli(T).toString()),
        T);
  }

  @Test
  void shouldSendARunPageItsSnapshotThenOnlyItsRunsChangedSteps() throws Exception {
    view.fold(List.of(start("r1", "A", "A")));
    PageStream page = view.subscribe(new PageStream.Scope(PageStream.Scope.RUN, "r1"));

    view.fold(List.of(start("r2", "B", "B"), start("r1", "A.sequential[0]", "Build")));

    String snapshot = page.next(0);
    assertThat(snapshot).startsWith("event: snapshot\n").contains("\"path\":\"A\"");
    String delta = page.next(0);
    assertThat(delta)
        .startsWith("event: run\n")
        .contains("\"name\":\"Build\"")
        .doesNotContain("\"path\":\"B\"")
        .as("only what changed")
        .doesNotContain("\"path\":\"A\",");
    assertThat(page.next(0)).as("nothing about r2").isNull();
  }

  @Test
  void shouldSendTheRunsListOneDeltaPerBatchAndNothingToTheAgentsPage() throws Exception {
    PageStream runs = view.subscribe(new PageStream.Scope(PageStream.Scope.RUNS, null));
    PageStream agents = view.subscribe(new PageStream.Scope(PageStream.Scope.AGENTS, null));
    runs.next(0);
    agents.next(0);

    view.fold(List.of(start("r1", "A", "A"), start("r2", "B", "B")));

    String delta = runs.next(0);
    assertThat(delta)
        .startsWith("event: runs\n")
        .contains("\"id\":\"r1\"")
        .contains("\"id\":\"r2\"");
    assertThat(runs.next(0)).isNull();
    assertThat(agents.next(0)).isNull();
  }

  @Test
  void shouldDropAPageThatFellBehindSoThatItReconnectsForAFreshSnapshot() throws Exception {
    PageStream page = view.subscribe(new PageStream.Scope(PageStream.Scope.RUNS, null));
    for (int i = 0; i <= PageStream.BACKLOG; i++) {
      view.fold(List.of(start("r" + i, "A", "A")));
    }
    assertThat(page.closed()).isTrue();
  }
}
