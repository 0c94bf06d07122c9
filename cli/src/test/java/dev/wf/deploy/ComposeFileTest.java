package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * deploy/docker-compose.yml: one Kafka node and the jar, configured through WF_* variables. Only
 * parsed: no container is run.
 */
class ComposeFileTest {
  private static final CliModel CLI = CliModel.WF;
  private final JsonNode serviceNodes =
      YamlDocs.read(DeployFiles.resolve("docker-compose.yml")).get(0).path("services");

  /** A service, and the wf command it runs if it runs the jar. */
  private record Service(String name, JsonNode node, List<String> argv, Map<String, String> env) {
    static Service of(String name, JsonNode node) {
      return new Service(
          name,
          node,
          YamlDocs.argv(node, "entrypoint", "command"),
          YamlDocs.envMap(node.path("environment")));
    }

    String where() {
      return "docker-compose.yml services." + name;
    }

    Optional<String> command() {
      return CommandLines.jarCommand(argv);
    }

    List<String> volumes() {
      return YamlDocs.texts(node.path("volumes"));
    }

    /** A named volume or bind mount is at {@code dir} in the container. */
    void assertMounts(String dir) {
      assertThat(volumes())
          .as(where() + ": " + dir + " is a volume")
          .anyMatch(v -> v.split(":").length >= 2 && v.split(":")[1].equals(dir));
    }
  }

  private List<Service> services() {
    List<Service> out = new ArrayList<>();
    serviceNodes.properties().forEach(s -> out.add(Service.of(s.getKey(), s.getValue())));
    return out;
  }

  private List<Service> running(String command) {
    return services().stream().filter(s -> s.command().equals(Optional.of(command))).toList();
  }

  private Map<String, String> kafkaEnv() {
    return YamlDocs.envMap(serviceNodes.path("kafka").path("environment"));
  }

  @Test
  void kafkaIsOneKraftNodeWithSingleReplicaInternalTopics() {
    String where = "docker-compose.yml services.kafka";
    assertThat(serviceNodes.path("kafka").path("image").asText())
        .as(where + " image")
        .isEqualTo("apache/kafka:4.1.1");
    Map<String, String> k = kafkaEnv();
    assertThat(k)
        .as(where + " environment")
        .containsKeys(
            "KAFKA_NODE_ID",
            "KAFKA_PROCESS_ROLES",
            "KAFKA_LISTENERS",
            "KAFKA_ADVERTISED_LISTENERS",
            "KAFKA_CONTROLLER_LISTENER_NAMES",
            "KAFKA_CONTROLLER_QUORUM_VOTERS",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP");
    assertThat(k.get("KAFKA_PROCESS_ROLES"))
        .as(where + " KAFKA_PROCESS_ROLES")
        .contains("broker")
        .contains("controller");
    assertThat(k.get("KAFKA_CONTROLLER_QUORUM_VOTERS"))
        .as(where + " KAFKA_CONTROLLER_QUORUM_VOTERS is the node itself")
        .startsWith(k.get("KAFKA_NODE_ID") + "@");
    assertThat(k)
        .as(where + ": one node, so every internal topic has one replica")
        .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .containsEntry("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1");
  }

  @Test
  void onlyServicesRunningTheJarSetWfVariables() {
    for (Service s : services()) {
      if (s.command().isEmpty()) {
        assertThat(s.env().keySet())
            .as(s.where() + " is no wf service but sets WF_* variables")
            .noneMatch(v -> v.startsWith("WF_"));
      }
    }
    assertThat(services().stream().filter(s -> s.command().isPresent()))
        .as("services running the jar")
        .hasSize(3);
  }

  @Test
  void everyWfServiceRunsTheMountedJarAgainstKafka() {
    Set<String> advertised = new TreeSet<>();
    for (String l : kafkaEnv().get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
      advertised.add(l.substring(l.indexOf("://") + 3));
    }
    DeployLint lint = new DeployLint();
    for (Service s : services()) {
      if (s.command().isEmpty()) {
        continue;
      }
      String where = s.where();
      lint.commandLines(where, List.of(String.join(" ", s.argv())));
      lint.assignments(where, s.command().get(), s.env());
      assertThat(s.node().path("image").asText()).as(where).isEqualTo("eclipse-temurin:17-jre");
      assertThat(s.volumes())
          .as(where + " mounts the built jar")
          .contains("../cli/target/wf.jar:" + CommandLines.jarPath(s.argv()) + ":ro");
      assertThat(s.env().get("WF_BOOTSTRAP"))
          .as(where + " WF_BOOTSTRAP is an advertised listener of kafka")
          .isIn(advertised);
      assertThat(s.node().path("depends_on").has("kafka")).as(where + " depends on kafka").isTrue();
    }
    lint.assertNoProblems();
  }

  @Test
  void agentsServeTheExamplePoolsAndAreGivenTimeToDrain() {
    Set<String> pools = new TreeSet<>();
    DeployLint lint = new DeployLint();
    for (Service s : running("agent")) {
      pools.addAll(List.of(s.env().getOrDefault("WF_POOLS", "default").split(",")));
      assertThat(s.env()).as(s.where()).containsKey("WF_AGENT_ID");
      s.assertMounts(CLI.valueOr(s.env(), "WF_WORKDIR"));
      lint.assertOutlastsDrain(
          s.where() + " stop_grace_period",
          DeployLint.duration(s.node().path("stop_grace_period").asText("10s")),
          s.env());
    }
    assertThat(pools).as("pools of the compose agents").contains("build", "deploy", "default");
  }

  @Test
  void theCoordinatorKeepsItsStateOnAVolumeAndPublishesItsPort() {
    for (Service s : running("coordinator")) {
      s.assertMounts(CLI.valueOr(s.env(), "WF_STATE_DIR"));
      String port = CLI.valueOr(s.env(), "WF_HTTP_PORT");
      assertThat(YamlDocs.texts(s.node().path("ports")))
          .as(s.where() + " publishes WF_HTTP_PORT")
          .anyMatch(p -> p.endsWith(":" + port));
    }
  }
}
