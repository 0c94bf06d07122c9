package dev.wf.protocol.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Expressions come from whoever submits a workflow and run inside the coordinator: what they may
 * build is bounded, so that one hostile definition fails its own step instead of the process.
 */
class ExpressionLimitsTest {
  static final String BIG = "x".repeat(400_000);
  static final List<Long> MANY = Collections.nCopies(100_000, 1L);

  static Map<String, Object> inputs() {
    return Map.of("inputs", Map.of("big", BIG, "many", MANY), "steps", Map.of());
  }

  @Test
  void shouldStillConcatenateTextAndListsAsCelDoes() {
    assertThat(Expression.compile("'a' + 'b' + inputs.big").evaluate(inputs()))
        .isEqualTo("ab" + BIG);
    assertThat(
            Expression.compile("[1, 2] + [3]")
                .evaluate(Map.of("inputs", Map.of(), "steps", Map.of())))
        .isEqualTo(List.of(1L, 2L, 3L));
  }

  @Test
  void shouldRefuseAnExpressionThatBuildsGigabytesOfText() {
    // 100,000 copies of an 800 KB string: 80 GB, were it built.
    Expression e = Expression.compile("inputs.many.map(x, inputs.big + inputs.big).size() > 0");
    assertThatThrownBy(() -> e.evaluate(inputs()))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("builds more than 4194304 characters or list elements");
  }

  @Test
  void shouldGiveEachEvaluationItsOwnBudget() {
    Expression e = Expression.compile("size(inputs.big + inputs.big) > 0");
    for (int i = 0; i < 20; i++) {
      assertThat(e.evaluate(inputs())).isEqualTo(true); // 20 x 800 KB: more than one budget
    }
  }

  @Test
  void shouldRefuseToRenderATemplateLongerThanADispatchCarriesFromPartsThatEachFit() {
    Template t = Template.parse("${{ inputs.half }}-${{ inputs.half }}");
    Map<String, Object> vars =
        Map.of("inputs", Map.of("half", "y".repeat(200_000)), "steps", Map.of());
    assertThatThrownBy(() -> t.render(vars))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("longer than 262144 characters");
  }

  @Test
  void shouldMapOverTenThousandItemsAsAForEachWould() {
    Map<String, Object> vars =
        Map.of("inputs", Map.of("many", Collections.nCopies(10_000, 1L)), "steps", Map.of());
    assertThat(Expression.compile("inputs.many.map(x, x + 1).size()").evaluate(vars))
        .isEqualTo(10_000L);
  }

  @Test
  void shouldRefuseToRenderATemplateLongerThanADispatchCarries() {
    Template t = Template.parse("${{ inputs.big }}${{ inputs.big }}");
    assertThatThrownBy(() -> t.render(inputs()))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("larger than 262144");
  }

  @Test
  void shouldRefuseAValueTooLargeToConvertBeforeConvertingIt() {
    Expression e = Expression.compile("inputs.many.map(x, inputs.big)");
    assertThatThrownBy(() -> e.evaluateToJson(inputs(), 1_000_000))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("larger than 1000000");
  }
}
