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

  @Option(
      names = "--coordinator",
      paramLabel = "URL",
      defaultValue = "${env:WF_COORDINATOR}",
      description =
          "Ask a coordinator's HTTP API (e.g. http://coord:7070) for the exact state instead of rebuilding it from events (env WF_COORDINATOR).")
  String coordinator;

  @Option(
      names = "--http-token",
      paramLabel = "TOKEN",
      defaultValue = "${env:WF_HTTP_TOKEN}",
      description = "Bearer token of the coordinator's API (env WF_HTTP_TOKEN).")
  String token;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The run from the coordinator's API, or null when it does not know the run. */
  private WorkflowResult fromCoordinator() throws Exception {
    String base =
        coordinator.endsWith("/")
            ? coordinator.substring(0, coordinator.length() - 1)
            : coordinator;
    java.net.URI uri;
    try {
      uri =
          java.net.URI.create(
              base
                  + "/runs/"
                  + java.net.URLEncoder.encode(runId, java.nio.charset.StandardCharsets.UTF_8)
                      .replace("+", "%20"));
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, "--coordinator " + coordinator + " is not a URL");
    }
    var request =
        java.net.http.HttpRequest.newBuilder(uri).timeout(java.time.Duration.ofSeconds(10));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    java.net.http.HttpResponse<String> response;
    try {
      response =
          java.net.http.HttpClient.newBuilder()
              .followRedirects(java.net.http.HttpClient.Redirect.NORMAL)
              .connectTimeout(java.time.Duration.ofSeconds(10))
              .build()
              .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      throw new UserError(
          Main.UNREACHABLE,
          "the coordinator at " + coordinator + " did not answer: " + e.getMessage());
    }
    if (response.statusCode() == 404) {
      return null;
    }
    if (response.statusCode() != 200) {
      throw new UserError(
          Main.UNREACHABLE,
          "the coordinator at "
              + coordinator
              + " answered "
              + response.statusCode()
              + ": "
              + response.body());
    }
    return Json.MAPPER.readValue(response.body(), WorkflowResult.class);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    EventFold fold = new EventFold(runId);
    WorkflowResult r;
    if (coordinator != null && !coordinator.isBlank()) {
      r = fromCoordinator();
      if (r == null) {
        throw new UserError(
            Main.RUN_FAILED, "the coordinator at " + coordinator + " knows no run " + runId);
      }
    } else {
      try (RunHistory history =
          new RunHistory(kafka.reachable(), kafka.topics(), kafka.clientProperties(), runId)) {
        history.read(runId, fold::apply, false, () -> false);
      }
      if (!fold.seen()) {
        throw new UserError(Main.RUN_FAILED, "no run " + runId + " on " + kafka.topics().events());
      }
      r = fold.result(System.currentTimeMillis());
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
