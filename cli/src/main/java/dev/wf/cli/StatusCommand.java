package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wf status RUN}: the run's state so far, rebuilt from its events. */
@Command(
    name = "status",
    description = "Show a run's state so far (steps in flight included).",
    mixinStandardHelpOptions = true)
final class StatusCommand implements Callable<Integer> {
  @Mixin ConnectionOptions kafka;

  @Parameters(paramLabel = "RUN", description = "The run id.")
  String runId;

  @Option(names = "--json", description = "Print it as a WorkflowResult in JSON.")
  boolean json;

  @Mixin CoordinatorApi api;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The run rebuilt from its events (exit 1 when it has none). */
  private WorkflowResult fromEvents(EventFold fold) {
    try (RunHistory history = kafka.history(runId)) {
      history.read(runId, fold::apply, false, () -> false);
    }
    if (!fold.seen()) {
      throw new UserError(Main.RUN_FAILED, "no run " + runId + " on " + kafka.topics().events());
    }
    return fold.result(System.currentTimeMillis());
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    EventFold fold = new EventFold(runId);
    WorkflowResult r;
    if (api.given()) {
      r = api.run(runId);
      if (r == null) {
        throw new UserError(
            Main.RUN_FAILED, "the coordinator at " + api.url + " knows no run " + runId);
      }
    } else {
      r = fromEvents(fold);
    }
    if (json) {
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(r));
    } else {
      fold.refusals().forEach(out::println);
      out.printf(
          Locale.ROOT,
          "%s  %s  %s  %.1f s%n",
          r.runId(),
          r.name(),
          r.status().word(),
          r.duration() / 1000.0);
      for (StepResult s : r.steps()) {
        out.printf(
            Locale.ROOT,
            "  %-9s %-40s %7d ms%s%s%s%s%n",
            s.status().word(),
            s.name(),
            s.duration(),
            s.agent() == null ? "" : "  on " + s.agent(),
            s.error() == null ? "" : "  " + s.error(),
            s.waitingFor() == null ? "" : "  for " + s.waitingFor(),
            Boolean.TRUE.equals(s.reused()) ? "  (reused)" : "");
      }
    }
    out.flush();
    return Main.OK;
  }
}
