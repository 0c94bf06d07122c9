package dev.wf.coordinator.engine;

import static dev.wf.coordinator.engine.MachineFixture.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepStatus;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Groups with forEach (DESIGN.md section 8): their steps once per item of a list. */
class ForEachMachineTest {
  static final String FAN =
      """
      name: Release
      type: sequential
      inputs: { services: [] }
      steps:
        - name: Deploy all
          type: parallel
          forEach: "inputs.services"
          %s
          steps:
            - name: Deploy
              action: { kind: shell, command: 'deploy "$1" "$2"', args: ["${{ item }}", "${{ index }}"] }
        - name: After
          action: { kind: noop }
          condition: "steps['Deploy[1]'].status == 'success'"
      """;

  private static Map<String, JsonNode> services(String... names) {
    return Map.of("services", Json.tree(names));
  }

  @Test
  void shouldRunTheStepsOncePerItemNamedAndPlacedByTheirNumber() {
    var f = given(FAN.formatted("")).start(services("api", "web", "cron"));
    assertThat(f.dispatchedSteps()).containsExactly("Deploy[0]", "Deploy[1]", "Deploy[2]");
    assertThat(f.dispatchOf("Deploy[1]").action().get("args").toString())
        .isEqualTo("[\"web\",\"1\"]");
    assertThat(f.dispatchOf("Deploy[2]").path())
        .isEqualTo("Release.sequential[0].parallel[2].sequential[0]");
    f.runs("Deploy[0]").runs("Deploy[1]").runs("Deploy[2]").runs("After");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
    assertThat(f.stepLines())
        .containsExactly(
            "Deploy[0]=success",
            "Deploy all[0]=success",
            "Deploy[1]=success",
            "Deploy all[1]=success",
            "Deploy[2]=success",
            "Deploy all[2]=success",
            "Deploy all=success",
            "After=success",
            "Release=success");
  }

  @Test
  void shouldRunAtMostMaxParallelItemsAtOnce() {
    var f = given(FAN.formatted("maxParallel: 2")).start(services("a", "b", "c", "d"));
    assertThat(f.dispatchedSteps()).containsExactly("Deploy[0]", "Deploy[1]");
    f.runs("Deploy[1]");
    assertThat(f.dispatchedSteps()).containsExactly("Deploy[0]", "Deploy[1]", "Deploy[2]");
    f.runs("Deploy[0]").runs("Deploy[2]");
    assertThat(f.dispatchedSteps()).hasSize(4);
    f.runs("Deploy[3]").runs("After");
    assertThat(f.result().status()).isEqualTo(RunStatus.SUCCESS);
  }

  @Test
  void shouldRunASequentialForEachOneItemAtATimeAndStopAtAFailure() {
    String seq = FAN.formatted("").replace("type: parallel", "type: sequential");
    var f = given(seq).start(services("a", "b", "c"));
    assertThat(f.dispatchedSteps()).containsExactly("Deploy[0]");
    f.runs("Deploy[0]").started("Deploy[1]").fails("Deploy[1]", "exit 1");
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.dispatchedSteps()).doesNotContain("Deploy[2]");
    assertThat(f.step("Deploy all").error()).isEqualTo("step \"Deploy[1]\" failed: exit 1");
  }

  @Test
  void shouldCancelTheRunningItemsAndStartNoMoreWhenOneFailsAFailFastGroup() {
    var f = given(FAN.formatted("maxParallel: 2")).start(services("a", "b", "c"));
    f.started("Deploy[0]").started("Deploy[1]").fails("Deploy[0]", "exit 1");
    assertThat(f.cancels())
        .singleElement()
        .satisfies(
            c ->
                assertThat(c.dispatchId())
                    .endsWith("Release.sequential[0].parallel[1].sequential[0]"));
    f.finished("Deploy[1]", 1, dev.wf.protocol.result.AttemptStatus.CANCELLED, null, "killed");
    assertThat(f.result().status()).isEqualTo(RunStatus.FAILED);
    assertThat(f.dispatchedSteps()).doesNotContain("Deploy[2]");
  }

  @Test
  void shouldSucceedAtOnceOverAnEmptyList() {
    var f = given(FAN.formatted("")).start(services());
    assertThat(f.dispatchedSteps()).isEmpty();
    assertThat(f.published()).isPresent();
    assertThat(f.step("Deploy all").status()).isEqualTo(StepStatus.SUCCESS);
    assertThat(f.step("After").status())
        .as("its condition reads Deploy[1], which never ran")
        .isEqualTo(StepStatus.FAILED);
  }

  @Test
  void shouldFailTheGroupWhenTheExpressionGivesNoList() {
    var f = given(FAN.formatted("")).start(Map.of("services", Json.tree("api")));
    assertThat(f.step("Deploy all").status()).isEqualTo(StepStatus.FAILED);
    assertThat(f.result().errors())
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.message())
                    .isEqualTo("forEach `inputs.services` gave \"api\", not a list"));
  }

  @Test
  void shouldFailTheGroupNamingTheLimitWhenTheListIsTooLong() {
    MachineConfig small =
        new MachineConfig(
            3, Duration.ofSeconds(15), Duration.ofSeconds(60), Duration.ofMinutes(10), 3);
    var f = given(FAN.formatted(""), small).start(services("a", "b", "c", "d"));
    assertThat(f.dispatchedSteps()).isEmpty();
    assertThat(f.step("Deploy all").error())
        .isEqualTo(
            "forEach `inputs.services` gave 4 items, more than the limit of 3 (the coordinator's"
                + " --max-items)");
  }

  @Test
  void shouldCancelTheItemsThatRunWhenTheRunIsCancelled() {
    var f = given(FAN.formatted("maxParallel: 1")).start(services("a", "b"));
    f.started("Deploy[0]").cancelRun();
    assertThat(f.cancels()).hasSize(1);
    f.finished("Deploy[0]", 1, dev.wf.protocol.result.AttemptStatus.CANCELLED, null, "killed");
    assertThat(f.result().status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(f.dispatchedSteps()).containsExactly("Deploy[0]");
  }
}
