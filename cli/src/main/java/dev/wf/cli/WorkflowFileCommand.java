package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.definition.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Parameters;

/**
 * wf run and wf submit: a workflow FILE, read and checked before anything starts; an invalid one
 * exits 2 with its problems on stderr.
 */
abstract class WorkflowFileCommand implements Callable<Integer> {
  @Parameters(paramLabel = "FILE", description = "The workflow (YAML or JSON).")
  Path file;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /**
   * Starts a run of the valid {@code workflow} ({@code tree} as written); returns the exit code.
   */
  abstract int start(JsonNode tree, Workflow workflow, PrintWriter err) throws Exception;

  @Override
  public final Integer call() throws Exception {
    PrintWriter err = spec.commandLine().getErr();
    DefinitionFile read = DefinitionFile.read(file);
    read.print(file, err);
    return read.workflow().isPresent()
        ? start(read.tree(), read.workflow().get(), err)
        : Main.INVALID;
  }
}
