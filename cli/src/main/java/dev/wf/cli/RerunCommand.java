package dev.wf.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf rerun RUN [--from STEP]}: runs a run again, keeping what succeeded before. */
@Command(
    name = "rerun",
    description = {
      "Run a run again with its definition and inputs; prints the new run id.",
      "Steps that succeeded are taken as they were: all of them without --from, those before"
          + " STEP (in the order of their sequential groups) with it."
    },
    mixinStandardHelpOptions = true)
final class RerunCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Parameters(paramLabel = "RUN", description = "The run to run again.")
  String of;

  @Option(names = "--from", paramLabel = "STEP", description = "Run again from this step.")
  String from;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "The new run's id (default: generated).")
  String runId;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    String id = runId != null ? runId : RunCommand.newRunId();
    try (RunClient client = kafka.runClient()) {
      client.rerun(id, of, from);
    }
    err.println("rerun of " + of + " submitted; follow it with wf watch " + id);
    err.flush();
    out.println(id);
    out.flush();
    return Main.OK;
  }
}
