package dev.wf.agent.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * An agent's own small HTTP endpoint, on the JDK's server: {@code GET /metrics} (Prometheus text)
 * and {@code GET /health} (200 while the agent takes work, 503 while it starts or stops, with its
 * state). Nothing else: an agent answers no queries and takes no orders over HTTP.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** The state {@code /health} answers 200 for. */
  public static final String RUNNING = "RUNNING";

  /**
   * Serves on {@code host:port} (port 0: any free one) at once; {@code state} is the agent's
   * ({@link #RUNNING} when it takes work).
   *
   * @throws BindException naming the address when it is taken
   */
  public static MetricsServer start(
      String host, int port, Supplier<String> metrics, Supplier<String> state) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(host, port), 0);
    } catch (BindException e) {
      BindException named = new BindException(host + ":" + port + ": " + e.getMessage());
      named.initCause(e);
      throw named;
    }
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "wf-metrics-http");
              t.setDaemon(true);
              return t;
            }));
    server.createContext(
        "/",
        ex -> {
          try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!"GET".equals(ex.getRequestMethod())) {
              send(ex, 405, "text/plain", "only GET\n");
            } else if (path.equals("/metrics")) {
              send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            } else if (path.equals("/health")) {
              String now = state.get();
              send(
                  ex,
                  RUNNING.equals(now) ? 200 : 503,
                  "application/json",
                  "{\"state\":\"" + now + "\"}");
            } else {
              send(ex, 404, "text/plain", "no such endpoint; try /metrics, /health\n");
            }
          }
        });
    server.start();
    return new MetricsServer(server);
  }

  private static void send(HttpExchange ex, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
