package dev.wf.agent.action;

import static dev.wf.agent.action.Attempts.action;
import static dev.wf.agent.action.Attempts.context;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.result.AttemptStatus;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http action against a real HTTP server on this host. */
class HttpActionTest {
  @TempDir Path work;
  private HttpServer server;
  private final List<HttpExchange> seen = new CopyOnWriteArrayList<>();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final CountDownLatch release = new CountDownLatch(1);
  private final HttpAction http = new HttpAction();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/json", ex -> answer(ex, 200, "{\"deployed\":\"v1.2.3\"}"));
    server.createContext("/text", ex -> answer(ex, 200, "ok"));
    server.createContext("/accepted", ex -> answer(ex, 202, ""));
    server.createContext("/missing", ex -> answer(ex, 404, "no such service"));
    server.createContext(
        "/slow",
        ex -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(ex, 200, "late");
        });
    server.createContext(
        "/moved",
        ex -> {
          ex.getResponseHeaders().add("Location", url("/json"));
          answer(ex, 302, "");
        });
    server.createContext("/huge", ex -> answer(ex, 200, "x".repeat(HttpAction.MAX_BODY + 10)));
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
  }

  @AfterEach
  void stopServer() {
    release.countDown();
    server.stop(0);
  }

  private void answer(HttpExchange ex, int status, String body) throws IOException {
    seen.add(ex);
    bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private AttemptOutcome run(String json, Duration timeout) throws InterruptedException {
    return http.run((Action.Http) action(json), context(work, timeout));
  }

  @Test
  void shouldSendMethodHeadersBodyAndTheIdempotencyKeyAndReturnTheJsonBody() throws Exception {
    AttemptOutcome o =
        run(
            """
            {"kind":"http","method":"POST","url":"%s","headers":{"X-Team":"platform"},"body":"ship it"}"""
                .formatted(url("/json")),
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.SUCCESS);
    assertThat(o.result().get("deployed").asText()).isEqualTo("v1.2.3");
    HttpExchange ex = seen.get(0);
    assertThat(ex.getRequestMethod()).isEqualTo("POST");
    assertThat(ex.getRequestHeaders().getFirst("X-Team")).isEqualTo("platform");
    assertThat(ex.getRequestHeaders().getFirst("Idempotency-Key"))
        .isEqualTo("run-7:Release.sequential[1]");
    assertThat(bodies.get(0)).isEqualTo("ship it");
  }

  @Test
  void shouldGiveStatusAndBodyWhenTheAnswerIsNotJson() throws Exception {
    AttemptOutcome o =
        run("{\"kind\":\"http\",\"url\":\"%s\"}".formatted(url("/text")), Duration.ofSeconds(10));
    assertThat(o.result().get("status").asInt()).isEqualTo(200);
    assertThat(o.result().get("body").asText()).isEqualTo("ok");
  }

  @Test
  void shouldRefuseToCallALinkLocalAddressUnlessTheAgentAllowsIt() throws Exception {
    // The cloud metadata service: a build step asking it from a deploy host gets the host's keys.
    for (String target :
        List.of("http://169.254.169.254/latest/meta-data/", "http://[fe80::1]:8080/")) {
      AttemptOutcome o =
          run("{\"kind\":\"http\",\"url\":\"%s\"}".formatted(target), Duration.ofSeconds(5));
      assertThat(o.status()).as(target).isEqualTo(AttemptStatus.FAILED);
      assertThat(o.error()).as(target).contains("is link-local").contains("--allow-link-local");
    }
    // Allowed: the request is made (and, with nothing there here, fails to connect instead).
    AttemptOutcome allowed =
        new HttpAction(true)
            .run(
                (Action.Http) action("{\"kind\":\"http\",\"url\":\"http://169.254.0.1:9/\"}"),
                context(work, Duration.ofSeconds(2)));
    assertThat(allowed.error()).doesNotContain("link-local");
  }

  @Test
  void shouldNotFollowARedirectWithTheStepsHeaders() throws Exception {
    AttemptOutcome o =
        run(
            """
            {"kind":"http","url":"%s","headers":{"Authorization":"Bearer deploy-token"}}"""
                .formatted(url("/moved")),
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error()).isEqualTo("HTTP 302");
    assertThat(seen).as("only the first server was asked").hasSize(1);
  }

  @Test
  void shouldFailABodyLargerThanAStepKeepsInsteadOfHoldingItAll() throws Exception {
    AttemptOutcome o =
        run("{\"kind\":\"http\",\"url\":\"%s\"}".formatted(url("/huge")), Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error())
        .isEqualTo("HTTP 200: the response body is over 1 MiB, more than an http step keeps");
  }

  @Test
  void shouldFailAStatusOutsideExpectStatusWithTheBody() throws Exception {
    AttemptOutcome o =
        run(
            "{\"kind\":\"http\",\"url\":\"%s\"}".formatted(url("/missing")),
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error()).isEqualTo("HTTP 404: no such service");
  }

  @Test
  void shouldAcceptOnlyTheListedStatuses() throws Exception {
    assertThat(
            run(
                    "{\"kind\":\"http\",\"url\":\"%s\",\"expectStatus\":[202,404]}"
                        .formatted(url("/missing")),
                    Duration.ofSeconds(10))
                .status())
        .isEqualTo(AttemptStatus.SUCCESS);
    AttemptOutcome o =
        run(
            "{\"kind\":\"http\",\"url\":\"%s\",\"expectStatus\":202}".formatted(url("/text")),
            Duration.ofSeconds(10));
    assertThat(o.status()).isEqualTo(AttemptStatus.FAILED);
    assertThat(o.error()).startsWith("HTTP 200");
  }

  @Test
  void shouldTimeOutASlowServer() throws Exception {
    long t0 = System.nanoTime();
    AttemptOutcome o =
        run("{\"kind\":\"http\",\"url\":\"%s\"}".formatted(url("/slow")), Duration.ofMillis(300));
    assertThat(o.status()).isEqualTo(AttemptStatus.TIMEOUT);
    assertThat(o.error()).isEqualTo("timed out after 300ms");
    assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
  }
}
