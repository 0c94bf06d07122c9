package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.Durations;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one HTTP request. The result is the response body as JSON when it parses, else {@code
 * {status, body}} (body cut to a tail).
 */
public final class HttpAction {
  /** The most of a response body an http step reads: its result must fit an event. */
  static final int MAX_BODY = 1 << 20;

  // Redirects are not followed: a 3xx is the answer (list it in expectStatus to accept it). A
  // followed redirect would carry the step's headers to wherever the server points, link-local
  // metadata services included.
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final boolean allowLinkLocal;

  public HttpAction() {
    this(false);
  }

  /**
   * @param allowLinkLocal whether steps may call link-local addresses: cloud metadata services
   *     (169.254.169.254) hand out the host's credentials to whoever asks from it
   */
  public HttpAction(boolean allowLinkLocal) {
    this.allowLinkLocal = allowLinkLocal;
  }

  public AttemptOutcome run(Action.Http http, AttemptContext ctx) throws InterruptedException {
    HttpRequest.Builder b;
    URI uri;
    try {
      uri = URI.create(http.url());
      b = HttpRequest.newBuilder(uri).timeout(ctx.timeout());
    } catch (IllegalArgumentException e) {
      return AttemptOutcome.failed("bad url " + http.url() + ": " + e.getMessage());
    }
    if (!allowLinkLocal && uri.getHost() != null) {
      try {
        for (java.net.InetAddress address : java.net.InetAddress.getAllByName(uri.getHost())) {
          if (address.isLinkLocalAddress()) {
            return AttemptOutcome.failed(
                "url "
                    + http.url()
                    + ": "
                    + address.getHostAddress()
                    + " is link-local (a cloud metadata service?); this agent does not call it"
                    + " (wf agent --allow-link-local)");
          }
        }
      } catch (java.net.UnknownHostException e) {
        return AttemptOutcome.failed("url " + http.url() + ": unknown host " + uri.getHost());
      }
    }
    http.headers().forEach(b::header);
    b.header("Idempotency-Key", ctx.idempotencyKey());
    HttpRequest.BodyPublisher body =
        http.body()
            .map(HttpRequest.BodyPublishers::ofString)
            .orElse(HttpRequest.BodyPublishers.noBody());
    b.method(http.method(), body);
    java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();
    java.util.concurrent.atomic.AtomicBoolean tooLarge =
        new java.util.concurrent.atomic.AtomicBoolean();
    CompletableFuture<HttpResponse<Void>> f =
        client.sendAsync(
            b.build(),
            HttpResponse.BodyHandlers.ofByteArrayConsumer(
                chunk ->
                    chunk.ifPresent(
                        bytes -> {
                          if (received.size() + bytes.length > MAX_BODY) {
                            tooLarge.set(true); // read on, keep nothing more
                          } else {
                            received.writeBytes(bytes);
                          }
                        })));
    ctx.cancellation().onCancel(() -> f.cancel(true));
    HttpResponse<Void> response;
    try {
      response = f.get(ctx.timeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return AttemptOutcome.timeout("timed out after " + Durations.format(ctx.timeout()));
    } catch (java.util.concurrent.CancellationException e) {
      return AttemptOutcome.cancelled("cancelled: " + ctx.cancellation().reason());
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpTimeoutException) {
        return AttemptOutcome.timeout("timed out after " + Durations.format(ctx.timeout()));
      }
      return AttemptOutcome.failed(
          http.method()
              + " "
              + http.url()
              + ": "
              + (c instanceof IOException ? c.toString() : String.valueOf(c)));
    }
    if (tooLarge.get()) {
      return AttemptOutcome.failed(
          "HTTP "
              + response.statusCode()
              + ": the response body is over "
              + (MAX_BODY >> 20)
              + " MiB, more than an http step keeps");
    }
    String text = received.toString(java.nio.charset.StandardCharsets.UTF_8);
    if (!http.accepts(response.statusCode())) {
      String t = text.length() > 500 ? text.substring(0, 500) + "..." : text;
      return AttemptOutcome.httpStatus(
          response.statusCode(),
          "HTTP " + response.statusCode() + (t.isBlank() ? "" : ": " + t.strip()));
    }
    try {
      if (!text.isBlank()) {
        return AttemptOutcome.success(Json.MAPPER.readTree(text));
      }
    } catch (IOException e) {
      // not JSON
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("status", response.statusCode());
    o.put(
        "body",
        text.length() > ShellAction.OUTPUT_TAIL
            ? text.substring(text.length() - ShellAction.OUTPUT_TAIL)
            : text);
    JsonNode result = o;
    return AttemptOutcome.success(result);
  }
}
