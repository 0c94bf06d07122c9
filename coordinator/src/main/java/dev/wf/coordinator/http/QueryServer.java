package dev.wf.coordinator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wf.coordinator.kafka.AgentRegistry;
import dev.wf.coordinator.kafka.RunQueries;
import dev.wf.protocol.Json;
import dev.wf.protocol.message.IntakeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's HTTP API: {@code GET /health}, {@code GET /runs/{id}} (the run so far, as a
 * WorkflowResult with its steps in flight; another instance's runs are redirected to it) and {@code
 * GET /agents}, {@code GET /metrics} (Prometheus) and {@code POST /runs/{id}/signal} (an approval's
 * decision). When a token is set, every request but {@code /health} must carry {@code
 * Authorization: Bearer TOKEN}.
 */
public final class QueryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final HttpServer server;
  private final HostInfo self;

  public QueryServer(
      String bind,
      int port,
      HostInfo self,
      String token,
      Supplier<KafkaStreams.State> state,
      RunQueries runs,
      AgentRegistry agents,
      Supplier<String> metrics,
      Consumer<IntakeMessage> intake)
      throws IOException {
    this.self = self;
    this.server =
        HttpServer.create(
            bind == null || bind.isBlank()
                ? new InetSocketAddress(port)
                : new InetSocketAddress(bind, port),
            0);
    server.setExecutor(
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "wf-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String path = ex.getRequestURI().getPath();
            // health carries nothing secret and must answer probes that hold no token
            if (!path.equals("/health") && !authorized(ex, token)) {
              send(ex, 401, Map.of("error", "missing or wrong bearer token"));
              return;
            }
            if ("POST".equals(ex.getRequestMethod()) && path.matches("/runs/[^/]+/signal")) {
              signal(ex, path, intake);
              return;
            }
            if (!"GET".equals(ex.getRequestMethod())) {
              send(ex, 405, Map.of("error", "only GET, and POST /runs/{id}/signal"));
              return;
            }
            if (path.equals("/health")) {
              KafkaStreams.State s = state.get();
              // a rebalance is routine: the instance stays ready through it
              boolean ready =
                  s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.REBALANCING;
              send(ex, ready ? 200 : 503, Map.of("state", s.name()));
            } else if (path.equals("/metrics")) {
              byte[] b = metrics.get().getBytes(StandardCharsets.UTF_8);
              ex.getResponseHeaders()
                  .add("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
              ex.sendResponseHeaders(200, b.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
              }
            } else if (path.equals("/agents")) {
              send(ex, 200, agents.live().stream().map(a -> a.heartbeat()).toList());
            } else if (path.startsWith("/runs/")) {
              String runId =
                  URLDecoder.decode(path.substring("/runs/".length()), StandardCharsets.UTF_8);
              run(ex, runId, runs);
            } else {
              send(
                  ex,
                  404,
                  Map.of("error", "no such endpoint; try /health, /runs/{id}, /agents, /metrics"));
            }
          } catch (RuntimeException e) {
            LOG.warn("HTTP {} failed: {}", ex.getRequestURI(), e.toString());
            try {
              send(ex, 503, Map.of("error", String.valueOf(e.getMessage())));
            } catch (IOException ignored) {
              // the client is gone
            }
          }
        });
  }

  /**
   * {@code POST /runs/{id}/signal} with {@code {step, decision, by, comment}}: written to the
   * intake as a signal; what the coordinator made of it comes on the events ({@code signal:refused}
   * when the step did not wait).
   */
  private static void signal(HttpExchange ex, String path, Consumer<IntakeMessage> intake)
      throws IOException {
    String runId =
        URLDecoder.decode(
            path.substring("/runs/".length(), path.length() - "/signal".length()),
            StandardCharsets.UTF_8);
    JsonNode body;
    try (var in = ex.getRequestBody()) {
      body = Json.MAPPER.readTree(in.readNBytes(64 * 1024));
    } catch (IOException e) {
      send(ex, 400, Map.of("error", "the body is not JSON: " + e.getMessage()));
      return;
    }
    String step = body == null ? null : body.path("step").asText(null);
    String decision = body == null ? null : body.path("decision").asText(null);
    if (step == null
        || step.isBlank()
        || !(IntakeMessage.Signal.APPROVE.equals(decision)
            || IntakeMessage.Signal.REJECT.equals(decision))) {
      send(
          ex,
          400,
          Map.of("error", "expected {\"step\": NAME, \"decision\": \"approve\" or \"reject\"}"));
      return;
    }
    intake.accept(
        new IntakeMessage.Signal(
            runId,
            step,
            decision,
            body.path("by").asText(null),
            body.path("comment").asText(null)));
    send(ex, 202, Map.of("runId", runId, "step", step, "decision", decision));
  }

  private void run(HttpExchange ex, String runId, RunQueries runs) throws IOException {
    Optional<HostInfo> owner = runs.owner(runId, self);
    if (owner.isPresent()) {
      ex.getResponseHeaders()
          .add(
              "Location",
              "http://" + owner.get().host() + ":" + owner.get().port() + ex.getRequestURI());
      send(ex, 307, Map.of("redirect", owner.get().host() + ":" + owner.get().port()));
      return;
    }
    var snapshot = runs.snapshot(runId, System.currentTimeMillis());
    if (snapshot.isEmpty()) {
      send(ex, 404, Map.of("error", "no run " + runId));
    } else {
      send(ex, 200, snapshot.get());
    }
  }

  private static boolean authorized(HttpExchange ex, String token) {
    if (token == null || token.isEmpty()) {
      return true;
    }
    String h = ex.getRequestHeaders().getFirst("Authorization");
    byte[] given = (h == null ? "" : h).getBytes(StandardCharsets.UTF_8);
    byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }

  private static void send(HttpExchange ex, int status, Object body) throws IOException {
    byte[] b = Json.write(body);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
