package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.Problem;
import dev.wf.protocol.definition.Workflow;
import dev.wf.protocol.definition.WorkflowValidator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A workflow file read and validated once, for the commands that take one. */
record DefinitionFile(JsonNode tree, Optional<Workflow> workflow, List<Problem> problems) {

  static DefinitionFile read(Path file) {
    DefinitionReader.Result read = DefinitionReader.read(file);
    if (!read.ok()) {
      return new DefinitionFile(null, Optional.empty(), read.problems());
    }
    WorkflowValidator.Validation v = WorkflowValidator.validate(read.tree());
    return new DefinitionFile(read.tree(), v.workflow(), v.problems());
  }

  /** Prints every problem as {@code FILE: PATH: message} ({@code warning:} for warnings). */
  void print(Path file, PrintWriter err) {
    problems.forEach(p -> err.println(file + ": " + (p.isError() ? "" : "warning: ") + p));
    err.flush();
  }
}
