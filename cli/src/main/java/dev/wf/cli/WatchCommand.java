package dev.wf.cli;

import dev.wf.protocol.result.RunStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code wf watch RUN}: the run from its start until it ends, as a live tree on a terminal or as
 * one line per event.
 */
@Command(
    name = "watch",
    description = "Follow a run until it ends: a live tree on a terminal, else one line per event.",
    mixinStandardHelpOptions = true)
final class WatchCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Parameters(paramLabel = "RUN", description = "The run id.")
  String runId;

  @Mixin DisplayOptions display;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    EventLines lines = new EventLines(err);
    EventFold fold = new EventFold(runId);
    try (RunHistory history = kafka.history(runId);
        Progress progress = Progress.of(display.tree(), runId, err, lines)) {
      history.read(
          runId,
          e -> {
            fold.apply(e);
            progress.event(e);
          },
          true,
          fold::ended);
    }
    lines.summary(fold.result(System.currentTimeMillis()));
    return fold.result(System.currentTimeMillis()).status() == RunStatus.SUCCESS
        ? Main.OK
        : Main.RUN_FAILED;
  }
}
