package dev.wf.cli;

import dev.wf.protocol.definition.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wf validate FILE...}: every problem at once, as {@code PATH: message}. */
@Command(
    name = "validate",
    description = "Check workflow files (YAML or JSON) and list every problem as PATH: message.",
    mixinStandardHelpOptions = true)
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Workflow files.")
  List<Path> files;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean invalid = false;
    for (Path file : files) {
      List<Problem> problems = DefinitionFile.read(file).problems();
      boolean errors = problems.stream().anyMatch(Problem::isError);
      invalid |= errors;
      for (Problem p : problems) {
        err.println(file + ": " + (p.isError() ? "" : "warning: ") + p);
      }
      if (!errors) {
        out.println(
            file
                + ": valid"
                + (problems.isEmpty()
                    ? ""
                    : " ("
                        + problems.size()
                        + " warning"
                        + (problems.size() == 1 ? "" : "s")
                        + ")"));
      } else {
        long n = problems.stream().filter(Problem::isError).count();
        err.println(file + ": invalid (" + n + " error" + (n == 1 ? "" : "s") + ")");
      }
    }
    out.flush();
    err.flush();
    return invalid ? Main.INVALID : Main.OK;
  }
}
