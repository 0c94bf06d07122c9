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
import java.util.Map;
import picocli.CommandLine.Option;

/** A coordinator's HTTP API, with its bearer token: options for the commands that use it. */
final class CoordinatorApi {
  @Option(
      names = "--coordinator",
      paramLabel = "URL",
      defaultValue = "${env:WF_COORDINATOR}",
      description = "A coordinator's HTTP API, e.g. http://coord:7070 (env WF_COORDINATOR).")
  String url;

  @Option(
      names = "--http-token",
      paramLabel = "TOKEN",
      defaultValue = "${env:WF_HTTP_TOKEN}",
      description = "Bearer token of the coordinator's API (env WF_HTTP_TOKEN).")
  String token;

  boolean given() {
    return url != null && !url.isBlank();
  }

  /** The run as the coordinator holds it, or null when it does not know the run. */
  WorkflowResult run(String runId) throws IOException {
    HttpResponse<String> r = send(runPath(runId), null);
    if (r.statusCode() == 404) {
      return null;
    }
    expect(r, 200);
    return Json.MAPPER.readValue(r.body(), WorkflowResult.class);
  }

  /** Sends an approval step's decision through the API. */
  void signal(String runId, String step, String decision, String by, String comment) {
    Map<String, String> body = new java.util.LinkedHashMap<>();
    body.put("step", step);
    body.put("decision", decision);
    if (by != null) {
      body.put("by", by);
    }
    if (comment != null) {
      body.put("comment", comment);
    }
    expect(send(runPath(runId) + "/signal", Json.write(body)), 202);
  }

  private static String runPath(String runId) {
    return "/runs/" + URLEncoder.encode(runId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpResponse<String> send(String path, byte[] post) {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
    } catch (IllegalArgumentException e) {
      throw new UserError(Main.INVALID, "--coordinator " + url + " is not a URL");
    }
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    }
    if (post != null) {
      request.header("Content-Type", "application/json");
      request.POST(HttpRequest.BodyPublishers.ofByteArray(post));
    }
    try {
      return HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .connectTimeout(Duration.ofSeconds(10))
          .build()
          .send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UserError(
          Main.UNREACHABLE, "the coordinator at " + url + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UserError(Main.INTERRUPTED, "interrupted");
    }
  }

  private void expect(HttpResponse<String> r, int status) {
    if (r.statusCode() == 401) {
      throw new UserError(
          Main.INVALID,
          "the coordinator at " + url + " refused the token: set --http-token or WF_HTTP_TOKEN");
    }
    if (r.statusCode() != status) {
      throw new UserError(
          Main.UNREACHABLE,
          "the coordinator at " + url + " answered " + r.statusCode() + ": " + r.body());
    }
  }
}
