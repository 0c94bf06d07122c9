package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Definitions.errors;
import static dev.wf.protocol.definition.Definitions.leaf;
import static dev.wf.protocol.definition.Definitions.leafWith;
import static dev.wf.protocol.definition.Definitions.validate;
import static dev.wf.protocol.definition.Definitions.warnings;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.WorkflowValidator.Validation;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The action of a leaf: built-in kinds and plug-in kinds. */
class ActionValidationTest {

  @Nested
  class Kinds {
    @Test
    void shouldRequireAKind() {
      Validation v = validate(leafWith("action: { command: make }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.kind: is required (shell, http, noop, sleep, approval or a plug-in"
                  + " kind)");
    }

    @Test
    void shouldRefuseAnUnknownKindCloseToABuiltInOne() {
      Validation v = validate(leafWith("action: { kind: shel, command: make }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.kind: unknown action kind \"shel\" (did you mean 'shell'?)");
      assertThat(v.valid()).isFalse();
    }

    @Test
    void shouldRefuseABuiltInKindInTheWrongCase() {
      Validation v = validate(leafWith("action: { kind: Noop }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.kind: unknown action kind \"Noop\" (did you mean 'noop'?)");
    }

    @Test
    void shouldWarnNotFailForAPluginKindFarFromTheBuiltInOnes() {
      Validation v =
          validate(
              leafWith("action: { kind: kubernetes-apply, manifest: deploy.yaml, wait: true }"));

      assertThat(errors(v)).isEmpty();
      assertThat(warnings(v))
          .containsExactly(
              "steps[0].action.kind: \"kubernetes-apply\" is not a built-in kind; only agents with"
                  + " a plug-in for it can run this step");
      Action.Plugin plugin = (Action.Plugin) leaf(v, 0).action();
      assertThat(plugin.kind()).isEqualTo("kubernetes-apply");
      assertThat(plugin.spec().get("manifest").textValue()).isEqualTo("deploy.yaml");
    }

    @Test
    void shouldRefuseAPluginKindThatIsNotAName() {
      Validation v = validate(leafWith("action: { kind: \"Deploy To K8s!\" }"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].action.kind: must be shell, http, noop, sleep or a plug-in kind");
    }

    @Test
    void shouldRefuseAnActionThatIsNotAMapping() {
      Validation v = validate(leafWith("action: make"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].action: must be a mapping with a kind");
    }

    @Test
    void shouldKeepANoopResult() {
      Validation v = validate(leafWith("action: { kind: noop, result: { image: \"app:1\" } }"));

      Action.Noop noop = (Action.Noop) leaf(v, 0).action();
      assertThat(noop.result())
          .hasValueSatisfying(r -> assertThat(r.get("image").textValue()).isEqualTo("app:1"));
    }

    @Test
    void shouldRequireTheDurationOfASleep() {
      assertThat(errors(validate(leafWith("action: { kind: sleep }"))))
          .containsExactly("steps[0].action.duration: is required (like 10s)");
      assertThat(
              ((Action.Sleep)
                      leaf(validate(leafWith("action: { kind: sleep, duration: 2s }")), 0).action())
                  .duration())
          .isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void shouldRefuseABlankCommand() {
      Validation v = validate(leafWith("action: { kind: shell, command: \"  \" }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.command: must be a non-empty string, found the string \"  \"");
    }
  }

  @Nested
  class Http {
    @Test
    void shouldAcceptAnHttpActionAndUpperCaseItsMethod() {
      Validation v =
          validate(
              leafWith(
                  "action: { kind: http, method: post, url: \"https://chat.example/hook\", headers:"
                      + " { Content-Type: text/plain }, body: deployed, expectStatus: 201 }"));

      assertThat(v.problems()).isEmpty();
      Action.Http http = (Action.Http) leaf(v, 0).action();
      assertThat(http.method()).isEqualTo("POST");
      assertThat(http.headers()).containsEntry("Content-Type", "text/plain");
      assertThat(http.body()).contains("deployed");
      assertThat(http.expectStatus()).containsExactly(201);
      assertThat(http.accepts(201)).isTrue();
      assertThat(http.accepts(200)).isFalse();
    }

    @Test
    void shouldDefaultToGetAndAnyTwoHundred() {
      Validation v =
          validate(leafWith("action: { kind: http, url: \"http://localhost:8080/health\" }"));

      Action.Http http = (Action.Http) leaf(v, 0).action();
      assertThat(http.method()).isEqualTo("GET");
      assertThat(http.accepts(204)).isTrue();
      assertThat(http.accepts(302)).isFalse();
    }

    @Test
    void shouldSendAMappingBodyAsJson() {
      Validation v =
          validate(
              leafWith(
                  "action: { kind: http, method: PUT, url: \"https://x.example\", body: { a: 1 }"
                      + " }"));

      assertThat(((Action.Http) leaf(v, 0).action()).body()).contains("{\"a\":1}");
    }

    @Test
    void shouldRequireAUrl() {
      Validation v = validate(leafWith("action: { kind: http, method: GET }"));

      assertThat(errors(v)).containsExactly("steps[0].action.url: is required");
    }

    @Test
    void shouldRefuseAUrlThatIsNotHttp() {
      Validation v = validate(leafWith("action: { kind: http, url: \"ftp://files.example/x\" }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.url: must be an http:// or https:// URL, found"
                  + " \"ftp://files.example/x\"");
    }

    @Test
    void shouldAcceptAUrlMadeByATemplate() {
      Validation v =
          validate(
              """
              name: Root
              inputs: { host: "https://chat.example" }
              steps:
                - name: Call
                  action: { kind: http, url: "${{ inputs.host }}/hook" }
              """);

      assertThat(v.problems()).isEmpty();
    }

    @Test
    void shouldRefuseAnUnknownMethod() {
      Validation v =
          validate(leafWith("action: { kind: http, method: FETCH, url: \"https://x.example\" }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.method: must be one of DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT,"
                  + " found the string \"FETCH\"");
    }

    @Test
    void shouldRefuseStatusCodesThatAreNotHttpCodes() {
      Validation v =
          validate(
              leafWith(
                  "action: { kind: http, url: \"https://x.example\", expectStatus: [ 200, 700, ok ]"
                      + " }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].action.expectStatus[1]: must be an HTTP status code from 100 to 599, found"
                  + " the number 700",
              "steps[0].action.expectStatus[2]: must be an HTTP status code from 100 to 599, found"
                  + " the string \"ok\"");
    }

    @Test
    void shouldRefuseFieldsOfOtherKinds() {
      Validation v =
          validate(leafWith("action: { kind: http, url: \"https://x.example\", command: make }"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].action.command: unknown field");
    }
  }
}
