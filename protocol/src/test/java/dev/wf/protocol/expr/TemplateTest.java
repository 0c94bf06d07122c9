package dev.wf.protocol.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rendering {@code ${{ }}} templates (DESIGN.md section 7, "Expressions"). */
class TemplateTest {
  /**
   * {@code inputs} and {@code steps} as the coordinator builds them: JSON turned into CEL values.
   */
  private static final Map<String, Object> VARS =
      Map.of(
          "inputs",
          CelValues.fromJson(
              json("{\"replicas\": 3, \"ratio\": 2.5, \"env\": \"prod\", \"debug\": false}")),
          "steps",
          CelValues.fromJson(
              json(
                  "{\"Build\": {\"status\": \"success\", \"retries\": 0,"
                      + " \"result\": {\"image\": \"app:1.2.3\", \"layers\": [1, 2]}}}")));

  private static JsonNode json(String text) {
    try {
      return Json.read(text.getBytes(StandardCharsets.UTF_8), JsonNode.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static String render(String template) {
    return Template.parse(template).render(VARS);
  }

  @Test
  void shouldRenderAWholeTemplateIntAsAnInt() {
    assertThat(render("${{ inputs.replicas }}")).isEqualTo("3");
    assertThat(render("${{ inputs.replicas * 2 }}")).isEqualTo("6");
  }

  @Test
  void shouldRenderADoubleWithItsFraction() {
    assertThat(render("${{ inputs.ratio }}")).isEqualTo("2.5");
  }

  @Test
  void shouldRenderAStringWithoutQuotes() {
    assertThat(render("${{ inputs.env }}")).isEqualTo("prod");
    assertThat(render("${{ steps['Build'].result.image }}")).isEqualTo("app:1.2.3");
  }

  @Test
  void shouldRenderAnObjectOrAListAsJson() {
    assertThat(json(render("${{ steps['Build'].result }}")))
        .isEqualTo(json("{\"image\": \"app:1.2.3\", \"layers\": [1, 2]}"));
    assertThat(render("${{ steps.Build.result.layers }}")).isEqualTo("[1,2]");
  }

  @Test
  void shouldRenderBooleansAndNullAsJson() {
    assertThat(render("${{ inputs.debug }}")).isEqualTo("false");
    assertThat(render("${{ null }}")).isEqualTo("null");
  }

  @Test
  void shouldInterpolateTemplatesInsideALongerString() {
    assertThat(
            render(
                "deploy ${{ steps['Build'].result.image }} x${{ inputs.replicas }} to ${{"
                    + " inputs.env }}"))
        .isEqualTo("deploy app:1.2.3 x3 to prod");
  }

  @Test
  void shouldLeaveTextWithoutTemplatesAsItIs() {
    assertThat(Template.hasTemplate("echo $HOME ${PATH} {{ x }}")).isFalse();
    assertThat(render("echo $HOME ${PATH} {{ x }}")).isEqualTo("echo $HOME ${PATH} {{ x }}");
    assertThat(render("")).isEmpty();
  }

  @Test
  void shouldNeverReadARenderedValueAsATemplateAgain() {
    Map<String, Object> vars =
        Map.of(
            "inputs", CelValues.fromJson(json("{\"x\": \"${{ inputs.y }}\"}")), "steps", Map.of());

    assertThat(Template.parse("${{ inputs.x }}").render(vars)).isEqualTo("${{ inputs.y }}");
  }

  @Test
  void shouldFailToRenderWhenAValueIsMissing() {
    Template t = Template.parse("${{ steps['Deploy'].result }}");

    assertThatThrownBy(() -> t.render(VARS))
        .isInstanceOf(EvaluationException.class)
        .hasMessageStartingWith("cannot evaluate `steps['Deploy'].result`:");
  }

  @Test
  void shouldRefuseATemplateThatDoesNotCompile() {
    assertThatThrownBy(() -> Template.parse("a ${{ inputs.x + }} b"))
        .isInstanceOf(InvalidExpressionException.class)
        .hasMessageStartingWith("in `${{ inputs.x + }}`:");
    assertThatThrownBy(() -> Template.parse("a ${{ inputs.x"))
        .isInstanceOf(InvalidExpressionException.class)
        .hasMessage("`${{` at character 3 is not closed by `}}`");
  }
}
