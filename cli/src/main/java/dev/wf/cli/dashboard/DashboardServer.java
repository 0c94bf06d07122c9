package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP side (the JDK's server, as the coordinator's API): the page and its files,
 * {@code /events} (Server-Sent Events: a snapshot, then deltas), a read-only JSON API, and the two
 * actions a person takes from the page: cancel a run, answer an approval.
 */
final class DashboardServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.dashboard");
  private static final int MAX_BODY = 64 * 1024;
  private static final Map<String, String> FILES =
      Map.of(
          "/static/app.js", "application/javascript; charset=utf-8",
          "/static/app.css", "text/css; charset=utf-8",
          "/static/index.html", "text/html; charset=utf-8");

  private final HttpServer server;
  private final ExecutorService threads;
  private final LiveView view;
  private final RunControl control;
  private final Access access;
  private final String by;
  private final boolean loopbackOnly;

  DashboardServer(
      InetSocketAddress address, Access access, LiveView view, RunControl control, String by)
      throws IOException {
    this.view = view;
    this.control = control;
    this.access = access;
    this.by = by;
    this.loopbackOnly = address.getAddress() != null && address.getAddress().isLoopbackAddress();
    this.server = HttpServer.create(address, 64);
    // every open page holds a thread for its event stream: a pool that grows, bounded by
    // LiveView.MAX_STREAMS
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "wf-dashboard-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      if (!Access.hostAllowed(ex, loopbackOnly)) {
        send(ex, 403, "text/plain", "this dashboard answers to localhost only");
        return;
      }
      Map<String, String> query = query(ex.getRequestURI().getRawQuery());
      if (query.containsKey("token") && access.offered(query.get("token"))) {
        // the browser keeps the token as a cookie, and the address bar loses it
        ex.getResponseHeaders().add("Set-Cookie", access.cookie());
        ex.getResponseHeaders().set("Location", path);
        ex.sendResponseHeaders(303, -1);
        return;
      }
      if (path.equals("/health")) {
        send(ex, 200, "application/json", "{\"status\":\"up\"}");
        return;
      }
      if (!access.allows(ex)) {
        unauthorized(ex, path);
        return;
      }
      route(ex, path, query);
    } catch (RuntimeException e) {
      LOG.warn("dashboard request {} failed: {}", ex.getRequestURI(), e.toString());
      try {
        send(ex, 500, "application/json", error(e.getMessage()));
      } catch (IOException | RuntimeException ignored) {
        // the response had already begun
      }
    }
  }

  private void route(HttpExchange ex, String path, Map<String, String> query) throws IOException {
    String method = ex.getRequestMethod();
    if (method.equals("GET") && (path.equals("/") || path.equals("/agents") || isRunPage(path))) {
      resource(ex, "/static/index.html");
    } else if (method.equals("GET") && FILES.containsKey(path)) {
      resource(ex, path);
    } else if (method.equals("GET") && path.equals("/events")) {
      events(ex, query);
    } else if (method.equals("GET") && path.equals("/api/runs")) {
      send(ex, 200, "application/json", view.runsJson());
    } else if (method.equals("GET") && path.equals("/api/agents")) {
      send(ex, 200, "application/json", view.agentsJson());
    } else if (path.startsWith("/api/runs/")) {
      runApi(ex, method, path.substring("/api/runs/".length()), query);
    } else {
      send(ex, 404, "application/json", error("no such page: " + path));
    }
  }

  private static boolean isRunPage(String path) {
    return path.startsWith("/runs/") && path.length() > "/runs/".length();
  }

  /** {@code /api/runs/{id}}, {@code .../step?path=}, {@code .../cancel}, {@code .../signal}. */
  private void runApi(HttpExchange ex, String method, String rest, Map<String, String> query)
      throws IOException {
    int slash = rest.indexOf('/');
    String runId = decode(slash < 0 ? rest : rest.substring(0, slash));
    String action = slash < 0 ? "" : rest.substring(slash + 1);
    if (method.equals("GET") && action.isEmpty()) {
      send(ex, 200, "application/json", view.runJson(runId));
    } else if (method.equals("GET") && action.equals("step")) {
      String step = view.stepJson(runId, query.getOrDefault("path", ""));
      send(
          ex,
          step == null ? 404 : 200,
          "application/json",
          step == null ? error("no such step") : step);
    } else if (method.equals("POST") && (action.equals("cancel") || action.equals("signal"))) {
      if (!Access.fromPage(ex)) {
        send(ex, 403, "application/json", error("actions come from the dashboard's page"));
        return;
      }
      JsonNode body = body(ex);
      if (action.equals("cancel")) {
        cancel(ex, runId);
      } else {
        signal(ex, runId, body);
      }
    } else {
      send(ex, 404, "application/json", error("no such request"));
    }
  }

  private void cancel(HttpExchange ex, String runId) throws IOException {
    if (!view.knows(runId)) {
      send(ex, 404, "application/json", error("no run " + runId));
      return;
    }
    control.cancel(runId, "cancelled from the dashboard by " + by);
    LOG.info("dashboard: cancel of run {} sent", runId);
    send(ex, 202, "application/json", "{\"sent\":\"cancel\"}");
  }

  private void signal(HttpExchange ex, String runId, JsonNode body) throws IOException {
    String step = body.path("step").asText("");
    String decision = body.path("decision").asText("");
    if (!decision.equals("approve") && !decision.equals("reject")) {
      send(ex, 400, "application/json", error("decision is approve or reject"));
      return;
    }
    if (!view.awaitsApproval(runId, step)) {
      send(ex, 409, "application/json", error("step \"" + step + "\" waits for no approval"));
      return;
    }
    String comment = body.path("comment").asText("");
    control.signal(runId, step, decision.equals("approve"), by, comment);
    LOG.info("dashboard: {} of step \"{}\" of run {} sent", decision, step, runId);
    send(ex, 202, "application/json", "{\"sent\":\"" + decision + "\"}");
  }

  private void events(HttpExchange ex, Map<String, String> query) throws IOException {
    String kind = query.getOrDefault("scope", PageStream.Scope.RUNS);
    if (!kind.equals(PageStream.Scope.RUNS)
        && !kind.equals(PageStream.Scope.RUN)
        && !kind.equals(PageStream.Scope.AGENTS)) {
      send(ex, 400, "application/json", error("scope is runs, run or agents"));
      return;
    }
    PageStream stream = view.subscribe(new PageStream.Scope(kind, query.get("run")));
    if (stream == null) {
      send(ex, 503, "application/json", error("too many open pages"));
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      stream.pump(out);
    } catch (IOException e) {
      // the page went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      view.unsubscribe(stream);
    }
  }

  private void resource(HttpExchange ex, String name) throws IOException {
    try (InputStream in = DashboardServer.class.getResourceAsStream(name.substring(1))) {
      if (in == null) {
        send(ex, 404, "text/plain", "missing " + name);
        return;
      }
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      send(ex, 200, FILES.get(name), in.readAllBytes());
    }
  }

  private void unauthorized(HttpExchange ex, String path) throws IOException {
    if (path.startsWith("/api/") || path.equals("/events")) {
      send(ex, 401, "application/json", error("missing or wrong bearer token"));
    } else {
      send(
          ex,
          401,
          "text/html; charset=utf-8",
          "<!doctype html><title>wf dashboard</title><p>This dashboard needs its token: open"
              + " <code>/?token=TOKEN</code> once (the token given to <code>wf dashboard"
              + " --http-token</code>).");
    }
  }

  private static JsonNode body(HttpExchange ex) throws IOException {
    byte[] bytes = ex.getRequestBody().readNBytes(MAX_BODY);
    if (bytes.length == 0) {
      return Json.MAPPER.createObjectNode();
    }
    try {
      return Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return Json.MAPPER.createObjectNode();
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(decode(kv.substring(0, eq)), decode(kv.substring(eq + 1)));
      }
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static String error(String message) {
    return Json.MAPPER.createObjectNode().put("error", String.valueOf(message)).toString();
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
