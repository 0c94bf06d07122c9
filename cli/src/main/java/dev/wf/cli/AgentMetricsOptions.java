package dev.wf.cli;

import dev.wf.agent.metrics.AgentMetrics;
import dev.wf.agent.metrics.MetricsServer;
import java.io.IOException;
import java.net.BindException;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * {@code wf agent}'s metrics endpoint: {@code /metrics} (Prometheus) and {@code /health} on a port
 * of its own. Off unless a port is given: several agents often share a host (one systemd unit per
 * pool), and a fixed default port would stop the second one; the deploy files give each agent its
 * port. It listens on the loopback address unless told otherwise, since it has no token.
 */
final class AgentMetricsOptions {
  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      defaultValue = "${env:WF_AGENT_METRICS_PORT:-0}",
      description =
          "Serve /metrics (Prometheus) and /health on this port (env WF_AGENT_METRICS_PORT,"
              + " default ${DEFAULT-VALUE}: off).")
  int port;

  @Option(
      names = "--metrics-bind",
      paramLabel = "ADDRESS",
      defaultValue = "${env:WF_AGENT_METRICS_BIND:-127.0.0.1}",
      description =
          "The address /metrics listens on; 0.0.0.0 for a Prometheus on another host or pod"
              + " (env WF_AGENT_METRICS_BIND, default ${DEFAULT-VALUE}).")
  String bind;

  /** Checks the options before the agent starts. */
  void validate() {
    if (port < 0 || port > 65535) {
      throw new UserError(Main.INVALID, "--metrics-port " + port + " is not a port (0 is off)");
    }
  }

  /** Serves {@code metrics} when a port is set; null when the endpoint is off. */
  MetricsServer start(AgentMetrics metrics, Supplier<String> state) {
    if (port == 0) {
      return null;
    }
    try {
      MetricsServer s = MetricsServer.start(bind, port, metrics::scrape, state);
      LoggerFactory.getLogger("wf.agent")
          .info("agent metrics on http://{}:{}/metrics", bind, s.port());
      return s;
    } catch (BindException e) {
      throw new UserError(
          Main.INVALID,
          "the agent's metrics port "
              + e.getMessage()
              + " (another agent on this host?): give each its own --metrics-port"
              + " (WF_AGENT_METRICS_PORT), or 0 to turn it off");
    } catch (IOException e) {
      throw new UserError(
          Main.INVALID, "--metrics-bind " + bind + " --metrics-port " + port + ": " + e);
    }
  }
}
