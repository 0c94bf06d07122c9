package dev.wf.cli;

import dev.wf.protocol.Json;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --coordinator URL}: asking a coordinator's HTTP API instead of reading the topics. */
final class CoordinatorApi {
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

  /**
   * The run from the coordinator's API (exit 1 when it does not know the run); empty when no
   * coordinator is named.
   */
  Optional<WorkflowResult> run(String runId) throws IOException, InterruptedException {
    if (coordinator == null || coordinator.isBlank()) {
      return Optional.empty();
    }
    String base =
        coordinator.endsWith("/")
            ? coordinator.substring(0, coordinator.length() - 1)
            : coordinator;
    URI uri;
    try {
      uri =
          URI.create(
              base
                  + "/runs/"
                  + URLEncoder.encode(runId, StandardCharsets.UTF_8).replace("+", "%20"));
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, "--coordinator " + coordinator + " is not a URL");
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response =
          HttpClient.newBuilder()
              .followRedirects(HttpClient.Redirect.NORMAL)
              .connectTimeout(Duration.ofSeconds(10))
              .build()
              .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UserError(
          Main.UNREACHABLE,
          "the coordinator at " + coordinator + " did not answer: " + e.getMessage());
    }
    if (response.statusCode() == 404) {
      throw new UserError(
          Main.RUN_FAILED, "the coordinator at " + coordinator + " knows no run " + runId);
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
    return Optional.of(Json.MAPPER.readValue(response.body(), WorkflowResult.class));
  }
}
