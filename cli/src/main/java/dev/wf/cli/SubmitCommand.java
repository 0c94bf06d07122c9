package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Workflow;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wf submit FILE}: sends the workflow to the intake topic and prints the run id. */
@Command(
    name = "submit",
    description = "Submit a workflow to a running coordinator; prints the run id.",
    mixinStandardHelpOptions = true)
final class SubmitCommand extends WorkflowFileCommand {
  @Mixin ConnectionOptions kafka;

  @Mixin SubmitterOptions submitter;

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

  @Override
  int start(JsonNode tree, Workflow workflow, PrintWriter err) throws Exception {
    Map<String, JsonNode> given = Inputs.parse(inputs, workflow.inputs());
    try (RunClient client = kafka.runClient(submitter)) {
      String id = runId != null ? runId : RunCommand.newRunId();
      client.submit(id, tree, given);
      PrintWriter out = spec.commandLine().getOut();
      if (!await) {
        out.println(id);
        out.flush();
        return Main.OK;
      }
      err.println("submitted run " + id);
      EventLines lines = new EventLines(err);
      RunClient.Outcome o = client.follow(id, lines::print, null);
      o.tell(id, lines, err);
      if (o.result() != null) {
        out.println(
            json
                ? Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o.result())
                : id);
        out.flush();
      }
      return o.exitCode();
    }
  }
}
