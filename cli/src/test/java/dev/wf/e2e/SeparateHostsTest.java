package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.broker.EmbeddedBroker;
import dev.wf.protocol.Topics;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The microservices release with its builds and deploys on agents of their pools, each agent on a
 * network host of its own (a network namespace) that reaches the broker only over its link; and the
 * same with every process on loopback. Where the machine allows no namespaces (not root, no {@code
 * ip netns}, no veth pairs) the namespace variant is reported as skipped, never passed in silence.
 */
class SeparateHostsTest {
  @Test
  void shouldRunTheReleaseWithEachPoolOnItsOwnNetworkHost() throws Exception {
    Assumptions.assumeTrue(
        NetworkHosts.available(), "network namespaces are not available here (needs root and ip)");
    try (NetworkHosts hosts = new NetworkHosts()) {
      String buildHost;
      String deployHost;
      try {
        buildHost = hosts.host(1);
        deployHost = hosts.host(2);
      } catch (java.io.IOException e) {
        Assumptions.abort("network namespaces but no veth pairs here: " + e.getMessage());
        return;
      }
      release(true, buildHost, deployHost);
    }
  }

  @Test
  void shouldRunTheReleaseWithEachPoolOnAnAgentProcessOfItsOwn() throws Exception {
    release(false, null, null);
  }

  private static void release(boolean namespaces, String buildHost, String deployHost)
      throws Exception {
    Path dir = Files.createTempDirectory("wf-hosts-");
    List<Child> children = new ArrayList<>();
    String address = namespaces ? NetworkHosts.hubAddress() : "localhost";
    EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"), 0, address);
    try (TestStack client = TestStack.clientOnly(broker.bootstrap(), new Topics("hosts."))) {
      children.add(client.coordinatorProcess("coordinator", "--http-port", "0"));
      children.add(
          client.agentProcessIn(buildHost, "build-host", "--pool", "build", "--pool", "default"));
      children.add(client.agentProcessIn(deployHost, "deploy-host", "--pool", "deploy"));
      JsonNode def =
          DefinitionReader.read(ExamplesOnKafkaTest.example("microservices-release.yaml")).tree();
      String runId = client.submit(def, Map.of());
      WorkflowResult r = client.awaitResult(runId, Duration.ofSeconds(120));
      SeedShape.assertAllSucceeded(def, r);
      for (StepResult s : r.steps()) {
        if (s.name().matches("Build (API|Worker|Scheduler) Service")) {
          assertThat(s.agent()).as(s.name()).isEqualTo("build-host");
        } else if (s.name().matches("Deploy (API|Worker|Scheduler) Service")) {
          assertThat(s.agent()).as(s.name()).isEqualTo("deploy-host");
        }
      }
      System.out.printf(
          "separate hosts (%s): release succeeded in %d ms%n",
          namespaces ? "network namespaces" : "loopback", r.duration());
    } finally {
      children.forEach(Child::close);
      broker.close();
    }
  }
}
