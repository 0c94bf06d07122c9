package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Workflow;
import dev.wf.protocol.result.RunStatus;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf submit FILE}: sends the workflow to the intake topic and prints the run id. */
@Command(
    name = "submit",
    description = "Submit a workflow to a running coordinator; prints the run id.",
    mixinStandardHelpOptions = true)
final class SubmitCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Parameters(paramLabel = "FILE", description = "The workflow (YAML or JSON).")
  Path file;

  @Option(
      names = "--input",
      paramLabel = "KEY=VALUE",
      description = "Override an input (repeatable).")
  List<String> inputs;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description = "The run id (default: generated). The same id twice is one run.")
  String runId;

  @Option(names = "--wait", description = "Follow the run and exit like wf run.")
  boolean await;

  @Option(
      names = "--json",
      description = "With --wait: print the WorkflowResult as JSON on stdout.")
  boolean json;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    DefinitionFile read = DefinitionFile.read(file);
    read.print(file, err);
    if (read.workflow().isEmpty()) {
      return Main.INVALID;
    }
    Workflow wf = read.workflow().get();
    var given = Inputs.parse(inputs, wf.inputs());
    String bootstrap = kafka.reachable();
    String id = runId != null ? runId : RunCommand.newRunId();
    try (RunClient client = new RunClient(bootstrap, kafka.topics(), kafka.clientProperties())) {
      client.submit(id, read.tree(), given);
      if (!await) {
        out.println(id);
        out.flush();
        return Main.OK;
      }
      err.println("submitted run " + id);
      EventLines lines = new EventLines(err);
      RunClient.Outcome o = client.follow(id, lines::print, null);
      if (o.refusal() != null) {
        err.println("run " + id + " refused: " + o.refusal().reason());
        err.flush();
        return Main.INVALID;
      }
      lines.summary(o.result());
      if (json) {
        out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o.result()));
      } else {
        out.println(id);
      }
      out.flush();
      return o.result().status() == RunStatus.SUCCESS ? Main.OK : Main.RUN_FAILED;
    }
  }
}
