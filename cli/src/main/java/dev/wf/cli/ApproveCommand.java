package dev.wf.cli;

import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf approve RUN STEP}: answers an approval step, and says what the coordinator did. */
@Command(
    name = "approve",
    description = "Approve (or --reject) a run's approval step that waits.",
    mixinStandardHelpOptions = true)
final class ApproveCommand implements Callable<Integer> {
  private static final Set<EventType> ANSWERS =
      Set.of(
          EventType.STEP_COMPLETE,
          EventType.STEP_FAILED,
          EventType.STEP_TIMEOUT,
          EventType.STEP_CANCELLED,
          EventType.SIGNAL_REFUSED);

  @Mixin ConnectionOptions kafka;

  @Mixin CoordinatorApi api;

  @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
  String runId;

  @Parameters(index = "1", paramLabel = "STEP", description = "The approval step's name.")
  String step;

  @Option(names = "--reject", description = "Reject instead: the step fails.")
  boolean reject;

  @Option(names = "--comment", paramLabel = "TEXT", description = "Why, for the result.")
  String comment;

  @Option(
      names = "--by",
      paramLabel = "NAME",
      description = "Who decides (default: $USER).",
      defaultValue = "${env:USER:-someone}")
  String by;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    if (api.given()) {
      return throughApi(err);
    }
    try (RunClient client = kafka.runClient()) {
      client.signal(runId, step, !reject, by, comment);
      WorkflowEvent answer =
          client.await(
              runId,
              e -> ANSWERS.contains(e.type()) && step.equals(e.step()),
              Duration.ofSeconds(30));
      if (answer == null) {
        err.println(
            "signal sent; no answer from the coordinator within 30 s: follow it with wf watch "
                + runId);
        err.flush();
        return Main.UNREACHABLE;
      }
      if (answer.type() == EventType.SIGNAL_REFUSED) {
        err.println("refused: " + answer.reason());
        err.flush();
        return Main.RUN_FAILED;
      }
      err.println(
          "step \""
              + step
              + "\" "
              + answer.type().wire().substring("step:".length())
              + (answer.error() == null ? "" : ": " + answer.error()));
      err.flush();
      return Main.OK;
    }
  }

  /** Through the coordinator's API (its token), then its view of the run until the step moved. */
  private int throughApi(PrintWriter err) throws Exception {
    String decision = reject ? IntakeMessage.Signal.REJECT : IntakeMessage.Signal.APPROVE;
    api.signal(runId, step, decision, by, comment);
    long deadline = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      WorkflowResult r = api.run(runId);
      StepResult s =
          r == null
              ? null
              : r.steps().stream().filter(x -> step.equals(x.name())).findFirst().orElse(null);
      if (s != null && s.status() != StepStatus.WAITING && s.status() != StepStatus.RUNNING) {
        err.println(
            "step \""
                + step
                + "\" "
                + s.status().word()
                + (s.error() == null ? "" : ": " + s.error()));
        err.flush();
        return Main.OK;
      }
      Thread.sleep(200);
    }
    err.println("signal sent; the step has not moved within 30 s: see wf status " + runId);
    err.flush();
    return Main.UNREACHABLE;
  }
}
