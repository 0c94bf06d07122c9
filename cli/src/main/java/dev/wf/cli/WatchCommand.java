package dev.wf.cli;

import dev.wf.protocol.result.RunStatus;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code wf watch RUN}: the run's events as live lines, from its start until it ends. */
@Command(
    name = "watch",
    description = "Print a run's events as they come, until it ends.",
    mixinStandardHelpOptions = true)
final class WatchCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Parameters(paramLabel = "RUN", description = "The run id.")
  String runId;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    EventLines lines = new EventLines(err);
    EventFold fold = new EventFold(runId);
    try (RunHistory history = kafka.history(runId)) {
      history.read(
          runId,
          e -> {
            fold.apply(e);
            lines.print(e);
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
