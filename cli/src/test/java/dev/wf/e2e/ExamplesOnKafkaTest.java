package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's four examples, as they are ({@code examples/seed}), through a real broker: the seed's
 * results, in full.
 */
class ExamplesOnKafkaTest {
  static TestStack stack;

  @BeforeAll
  static void start() throws Exception {
    stack = new TestStack();
    stack.agent("agent-a", "default", "build", "deploy");
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  static Path example(String name) {
    Path p = Path.of("../examples/seed", name);
    return p.toFile().exists() ? p : Path.of("examples/seed", name);
  }

  private WorkflowResult run(String file, Map<String, JsonNode> inputs, Duration timeout) {
    String runId = stack.submit(example(file), inputs);
    return stack.awaitResult(runId, timeout);
  }

  @Test
  void shouldRunTheDeploymentExampleAsTheSeedWould() {
    JsonNode def = DefinitionReader.read(example("deployment.yaml")).tree();
    WorkflowResult r = run("deployment.yaml", Map.of(), Duration.ofSeconds(90));
    SeedShape.assertAllSucceeded(def, r);
    assertThat(SeedShape.step(r, "Push to Registry").result())
        .isEqualTo(
            Json.MAPPER
                .createObjectNode()
                .put("digest", "sha256:abc123")
                .put("image", "myapp:v1.2.3"));
    assertThat(SeedShape.step(r, "Database Backup").result().get("backupId").asText())
        .isEqualTo("backup-2025-11-06");
    assertThat(r.duration())
        .as("three phases of sleeps: at least 18 s")
        .isGreaterThanOrEqualTo(18_000);
    List<WorkflowEvent> events = stack.events(r.runId());
    assertThat(events.get(0).type()).isEqualTo(EventType.WORKFLOW_START);
    assertThat(events.get(events.size() - 1).type()).isEqualTo(EventType.WORKFLOW_COMPLETE);
    assertThat(events).filteredOn(e -> e.type() == EventType.STEP_COMPLETE).hasSize(13);
  }

  @Test
  void shouldRunTheEtlExampleWithItsConditionalEnrichment() {
    JsonNode def = DefinitionReader.read(example("etl-pipeline.yaml")).tree();
    WorkflowResult r = run("etl-pipeline.yaml", Map.of(), Duration.ofSeconds(60));
    SeedShape.assertAllSucceeded(def, r);
    assertThat(SeedShape.step(r, "Data Enrichment").result().get("enriched").asInt())
        .isEqualTo(39500);
  }

  @Test
  void shouldSkipEnrichmentWhenTheInputSaysSo() {
    WorkflowResult r =
        run(
            "etl-pipeline.yaml",
            Map.of("enrich", com.fasterxml.jackson.databind.node.BooleanNode.FALSE),
            Duration.ofSeconds(60));
    assertThat(r.success()).isTrue();
    assertThat(SeedShape.step(r, "Data Enrichment").status().word()).isEqualTo("skipped");
  }

  @Test
  void shouldRunTheMicroservicesExampleWithStepsRoutedByPool() {
    JsonNode def = DefinitionReader.read(example("microservices-release.yaml")).tree();
    WorkflowResult r = run("microservices-release.yaml", Map.of(), Duration.ofSeconds(60));
    SeedShape.assertAllSucceeded(def, r);
    assertThat(SeedShape.step(r, "Build API Service").agent()).isEqualTo("agent-a");
  }

  @Test
  void shouldRunTheBlueGreenExampleWithAShortCooldown() {
    JsonNode def = DefinitionReader.read(example("blue-green.yaml")).tree();
    WorkflowResult r =
        run(
            "blue-green.yaml",
            Map.of("cooldownSeconds", IntNode.valueOf(0)),
            Duration.ofSeconds(60));
    SeedShape.assertAllSucceeded(def, r);
    assertThat(SeedShape.step(r, "Route 50% Traffic").result().get("green").asInt()).isEqualTo(50);
    assertThat(SeedShape.step(r, "Wait for Cooldown").result().get("cooldown").asText())
        .isEqualTo("complete");
  }
}
