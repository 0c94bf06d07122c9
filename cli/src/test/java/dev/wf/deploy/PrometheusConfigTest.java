package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.monitoring.MonitoringFiles;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/prometheus.yml against the processes it scrapes: its targets are the compose
 * services on the ports their options give, agents listen where Prometheus can reach them, and the
 * other kits (Kubernetes, systemd) expose the same ports. The paths are checked live by {@code
 * dev.wf.e2e.MonitoringTest}, which scrapes through them.
 */
class PrometheusConfigTest {
  private static final CliModel CLI = CliModel.WF;
  private final JsonNode services =
      YamlDocs.read(DeployFiles.resolve("docker-compose.yml")).get(0).path("services");

  /**
   * {@code service:port} of each compose service running {@code command}, port from {@code var}.
   */
  private Set<String> composeTargets(String command, String var) {
    Set<String> out = new TreeSet<>();
    services
        .properties()
        .forEach(
            s -> {
              var argv = YamlDocs.argv(s.getValue(), "entrypoint", "command");
              if (CommandLines.jarCommand(argv).equals(java.util.Optional.of(command))) {
                Map<String, String> env = YamlDocs.envMap(s.getValue().path("environment"));
                out.add(s.getKey() + ":" + CLI.valueOr(env, var));
              }
            });
    return out;
  }

  @Test
  void theJobsScrapeTheMetricsPathOfTheCoordinatorsAndTheAgents() {
    assertThat(MonitoringFiles.jobs())
        .extracting(MonitoringFiles.Job::name)
        .containsExactlyInAnyOrder("wf-coordinator", "wf-agent");
    assertThat(MonitoringFiles.jobs())
        .allSatisfy(j -> assertThat(j.metricsPath()).as(j.name()).isEqualTo("/metrics"));
  }

  @Test
  void theComposeTargetsAreTheServicesOnTheirPorts() {
    assertThat(new TreeSet<>(MonitoringFiles.job("wf-coordinator").targets()))
        .as("wf-coordinator targets vs the compose coordinators' WF_HTTP_PORT")
        .isEqualTo(composeTargets("coordinator", "WF_HTTP_PORT"));
    assertThat(new TreeSet<>(MonitoringFiles.job("wf-agent").targets()))
        .as("wf-agent targets vs the compose agents' WF_AGENT_METRICS_PORT")
        .isEqualTo(composeTargets("agent", "WF_AGENT_METRICS_PORT"))
        .noneMatch(t -> t.endsWith(":0"));
  }

  @Test
  void agentsScrapedFromAnotherContainerOrPodListenBeyondTheLoopback() {
    services
        .properties()
        .forEach(
            s -> {
              var argv = YamlDocs.argv(s.getValue(), "entrypoint", "command");
              if (CommandLines.jarCommand(argv).equals(java.util.Optional.of("agent"))) {
                assertReachable(
                    "docker-compose.yml services." + s.getKey(),
                    YamlDocs.envMap(s.getValue().path("environment")));
              }
            });
    for (KubernetesObjects.Container c : KubernetesObjects.read().containers()) {
      if (!c.command().equals("agent")) {
        continue;
      }
      assertReachable(c.where(), c.env());
      String port = CLI.valueOr(c.env(), "WF_AGENT_METRICS_PORT");
      assertThat(c.node().path("ports"))
          .as(c.where() + ": a container port named metrics is WF_AGENT_METRICS_PORT")
          .anyMatch(
              p ->
                  p.path("name").asText().equals("metrics")
                      && p.path("containerPort").asText().equals(port));
    }
  }

  private static void assertReachable(String where, Map<String, String> env) {
    assertThat(CLI.valueOr(env, "WF_AGENT_METRICS_PORT"))
        .as(where + " WF_AGENT_METRICS_PORT")
        .isNotEqualTo("0");
    assertThat(CLI.valueOr(env, "WF_AGENT_METRICS_BIND"))
        .as(where + " WF_AGENT_METRICS_BIND: Prometheus is in another container or pod")
        .doesNotStartWith("127.")
        .isNotEqualTo("localhost");
  }

  @Test
  void theSystemdPortsAreTheOnesTheConfigShowsForHosts() {
    String text = DeployFiles.read(MonitoringFiles.PROMETHEUS);
    Set<String> ports = new TreeSet<>();
    for (Path f : DeployFiles.list(DeployFiles.resolve("systemd/env"))) {
      String name = f.getFileName().toString();
      Map<String, String> env = EnvFile.parse(DeployFiles.read(f));
      if (name.startsWith("agent-")) {
        String port = CLI.valueOr(env, "WF_AGENT_METRICS_PORT");
        assertThat(ports.add(port)).as(name + ": a port no other agent on the host has").isTrue();
        assertThat(text)
            .as("prometheus.yml's systemd targets name port " + port)
            .contains(":" + port);
      } else if (name.equals("coordinator.env")) {
        assertThat(text).contains(":" + CLI.valueOr(env, "WF_HTTP_PORT"));
      }
    }
    assertThat(ports).as("agent env files with a metrics port").isNotEmpty();
  }

  @Test
  void theCoordinatorJobSaysHowToSendTheApiToken() {
    String text = DeployFiles.read(MonitoringFiles.PROMETHEUS);
    assertThat(text)
        .contains("WF_HTTP_TOKEN")
        .contains("type: Bearer")
        .contains("credentials_file");
    // A coordinator that requires the token must be scraped with it.
    boolean tokenSet =
        services.properties().stream()
            .anyMatch(
                s ->
                    YamlDocs.envMap(s.getValue().path("environment")).containsKey("WF_HTTP_TOKEN"));
    assertThat(MonitoringFiles.job("wf-coordinator").authorized())
        .as("the wf-coordinator job sends a token exactly when the compose coordinator needs one")
        .isEqualTo(tokenSet);
  }

  @Test
  void theComposePrometheusAndGrafanaReadTheFilesOfThisKit() {
    JsonNode prometheus = services.path("prometheus");
    assertThat(YamlDocs.texts(prometheus.path("volumes")))
        .as("docker-compose.yml services.prometheus mounts prometheus.yml")
        .contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    JsonNode grafana = services.path("grafana");
    var volumes = YamlDocs.texts(grafana.path("volumes"));
    assertThat(volumes).contains("./grafana/provisioning:/etc/grafana/provisioning:ro");
    JsonNode provider =
        YamlDocs.read(DeployFiles.resolve("grafana/provisioning/dashboards/wf.yml"))
            .get(0)
            .path("providers")
            .get(0);
    assertThat(volumes)
        .as("the dashboard is mounted where the provider looks")
        .contains(
            "./grafana/wf-dashboard.json:"
                + provider.at("/options/path").asText()
                + "/wf-dashboard.json:ro");
    JsonNode source =
        YamlDocs.read(DeployFiles.resolve("grafana/provisioning/datasources/prometheus.yml"))
            .get(0)
            .path("datasources")
            .get(0);
    assertThat(source.path("type").asText()).isEqualTo("prometheus");
    assertThat(YamlDocs.texts(prometheus.path("ports")))
        .as("the data source's port is the one the prometheus service listens on")
        .anyMatch(p -> source.path("url").asText().equals("http://prometheus:" + p.split(":")[1]));
  }
}
