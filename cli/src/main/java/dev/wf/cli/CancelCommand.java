package dev.wf.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf cancel RUN}: asks the coordinator to cancel a run. */
@Command(
    name = "cancel",
    description = "Cancel a run: its running steps are killed, nothing more starts.",
    mixinStandardHelpOptions = true)
final class CancelCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Mixin SubmitterOptions submitter;

  @Parameters(paramLabel = "RUN", description = "The run id.")
  String runId;

  @Option(
      names = "--reason",
      defaultValue = "cancelled with wf cancel",
      description = "Why, for the events.")
  String reason;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    try (RunClient client = kafka.runClient(submitter)) {
      client.cancel(runId, reason);
    }
    spec.commandLine()
        .getErr()
        .println("cancel of run " + runId + " sent; follow it with wf watch " + runId);
    spec.commandLine().getErr().flush();
    return Main.OK;
  }
}
