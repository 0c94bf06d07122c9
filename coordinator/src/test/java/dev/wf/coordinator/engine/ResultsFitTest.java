package dev.wf.coordinator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.TextNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A run's result always fits the record that carries it, keeping what a person reads first. */
class ResultsFitTest {
  static WorkflowResult run(int steps, int bytesEach) {
    List<StepResult> out = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      out.add(
          new StepResult(
              "Step " + i,
              "Root.parallel[" + i + "]",
              i == 0 ? StepStatus.FAILED : StepStatus.SUCCESS,
              10,
              Json.MAPPER.createObjectNode().put("body", "x".repeat(bytesEach)),
              i == 0 ? "exit 1" : null,
              0,
              "agent-" + i,
              List.of(new Attempt(1, AttemptStatus.SUCCESS, "agent-" + i, 0L, 10L, null)),
              null,
              null));
    }
    out.add(
        new StepResult(
            "Small",
            "Root.parallel[x]",
            StepStatus.SUCCESS,
            1,
            TextNode.valueOf("ok"),
            null,
            0,
            "a",
            List.of(),
            null,
            null));
    return new WorkflowResult("r1", "Root", false, RunStatus.FAILED, 100, out, List.of(), null);
  }

  @Test
  void shouldLeaveAResultThatFitsAsItIs() {
    WorkflowResult r = run(3, 100);
    assertThat(Results.fitted(r, Results.MAX_RESULT_BYTES)).isSameAs(r);
  }

  @Test
  void shouldOmitTheLargerStepResultsOfARunTooLargeForItsRecord() {
    WorkflowResult r = run(20, 500_000); // 10 MB of step results
    WorkflowResult fitted = Results.fitted(r, Results.MAX_RESULT_BYTES);
    assertThat(Json.write(fitted).length).isLessThanOrEqualTo(Results.MAX_RESULT_BYTES);
    assertThat(fitted.steps())
        .extracting(StepResult::status)
        .isEqualTo(r.steps().stream().map(StepResult::status).toList());
    assertThat(fitted.steps().get(0).error()).isEqualTo("exit 1");
    assertThat(fitted.steps().get(0).result().asText()).startsWith("omitted: 500011 bytes");
    assertThat(fitted.steps().get(20).result().asText()).isEqualTo("ok");
    assertThat(fitted.steps().get(1).attempts()).hasSize(1);
  }

  @Test
  void shouldAlsoLeaveOutAttemptsWhenOmittingResultsIsNotEnough() {
    WorkflowResult r = run(20_000, 10);
    int limit = Json.write(r).length / 2;
    WorkflowResult fitted = Results.fitted(r, limit);
    assertThat(fitted.steps()).hasSize(20_001);
    assertThat(fitted.steps().get(5).attempts()).isEmpty();
    assertThat(fitted.steps().get(5).agent()).isEqualTo("agent-5");
  }
}
