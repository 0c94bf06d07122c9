package dev.wf.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The agent's own HTTP endpoint: metrics and health, on the address it is given only. */
class MetricsServerTest {
  private final HttpClient http = HttpClient.newHttpClient();

  private HttpResponse<String> get(MetricsServer s, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldServeTheMetricsTextAndTheHealthOfTheAgent() throws Exception {
    AgentMetrics metrics = AgentMetrics.prometheus();
    metrics.refused("build", RefusalKind.EXPIRED);
    AtomicReference<String> state = new AtomicReference<>("STARTING");
    try (MetricsServer s = MetricsServer.start("127.0.0.1", 0, metrics::scrape, state::get)) {
      assertThat(get(s, "/health").statusCode()).isEqualTo(503);
      state.set(MetricsServer.RUNNING);
      HttpResponse<String> m = get(s, "/metrics");
      assertThat(m.statusCode()).isEqualTo(200);
      assertThat(m.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      assertThat(m.body())
          .contains("wf_agent_refusals_total{pool=\"build\",reason=\"expired\"} 1.0");
      assertThat(get(s, "/health").statusCode()).isEqualTo(200);
      state.set("STOPPING");
      HttpResponse<String> stopping = get(s, "/health");
      assertThat(stopping.statusCode()).isEqualTo(503);
      assertThat(stopping.body()).contains("STOPPING");
      assertThat(get(s, "/runs/x").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void shouldListenOnTheLoopbackAddressWhenToldTo() throws Exception {
    try (MetricsServer s =
        MetricsServer.start("127.0.0.1", 0, () -> "", () -> MetricsServer.RUNNING)) {
      assertThat(s.address().getAddress().isLoopbackAddress()).isTrue();
    }
  }

  @Test
  void shouldNameTheAddressWhenItsPortIsTaken() throws Exception {
    try (MetricsServer first =
        MetricsServer.start("127.0.0.1", 0, () -> "", () -> MetricsServer.RUNNING)) {
      assertThatThrownBy(
              () ->
                  MetricsServer.start(
                      "127.0.0.1", first.port(), () -> "", () -> MetricsServer.RUNNING))
          .isInstanceOf(BindException.class)
          .hasMessageContaining("127.0.0.1:" + first.port());
    }
  }
}
