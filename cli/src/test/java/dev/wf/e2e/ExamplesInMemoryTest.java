package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The seed's four examples ({@code examples/seed}) run by the machine in memory with real {@code
 * sh} actions: the same paths, statuses, success and order within sequential groups as the seed
 * would give.
 */
class ExamplesInMemoryTest {
  @TempDir Path work;

  static JsonNode example(String name) {
    Path p = Path.of("../examples/seed", name);
    return DefinitionReader.read(p.toFile().exists() ? p : Path.of("examples/seed", name)).tree();
  }

  @ParameterizedTest
  @ValueSource(strings = {"etl-pipeline.yaml", "microservices-release.yaml", "blue-green.yaml"})
  void shouldGiveTheSeedsResult(String file) throws Exception {
    JsonNode def = example(file);
    try (InMemoryDriver driver = new InMemoryDriver(work)) {
      WorkflowResult r =
          driver.run(def, Map.of("cooldownSeconds", IntNode.valueOf(0)), Duration.ofSeconds(60));
      SeedShape.assertAllSucceeded(def, r);
      assertThat(driver.events().get(0).type()).isEqualTo(EventType.WORKFLOW_START);
      assertThat(driver.events().get(driver.events().size() - 1).type())
          .isEqualTo(EventType.WORKFLOW_COMPLETE);
    }
  }

  @Test
  void shouldRunTheDeploymentExampleWithItsSleepsAndOutputsFlowingForward() throws Exception {
    JsonNode def = example("deployment.yaml");
    try (InMemoryDriver driver = new InMemoryDriver(work)) {
      WorkflowResult r = driver.run(def, Map.of(), Duration.ofSeconds(90));
      SeedShape.assertAllSucceeded(def, r);
      StepResult push =
          r.steps().stream()
              .filter(s -> s.name().equals("Push to Registry"))
              .findFirst()
              .orElseThrow();
      assertThat(push.result().get("image").asText()).isEqualTo("myapp:v1.2.3");
      // the seed's order inside "Pre-Deployment Checks": Security Scan (1.5 s), Run Tests (2 s),
      // Database Backup (3 s)
      assertThat(r.steps().subList(0, 4))
          .extracting(StepResult::name)
          .containsExactly(
              "Security Scan", "Run Tests", "Database Backup", "Pre-Deployment Checks");
    }
  }
}
