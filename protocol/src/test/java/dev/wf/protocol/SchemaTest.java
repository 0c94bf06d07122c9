package dev.wf.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.ActionJson;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.Definitions;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.Attempt;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.StepStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Schemas shipped in {@code protocol} (DESIGN.md section 4) describe what wf reads and
 * writes: the examples and serialized records pass them, and broken documents do not.
 */
class SchemaTest {
  private static final String BASE = "https://wf.dev/schemas/";
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          b -> b.schemaMappers(m -> m.mapPrefix(BASE, "classpath:schemas/")));
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
  private static final String AT = "2025-11-06T10:15:30.123Z";

  private static JsonSchema schema(String name) {
    return FACTORY.getSchema(SchemaLocation.of(BASE + name), CONFIG);
  }

  private static Set<String> problems(String schema, JsonNode document) {
    return schema(schema).validate(document).stream()
        .map(ValidationMessage::getMessage)
        .collect(Collectors.toSet());
  }

  private static JsonNode resource(String name) throws IOException {
    try (InputStream in = SchemaTest.class.getResourceAsStream("/schemas/" + name)) {
      assertThat(in).as(name + " on the classpath").isNotNull();
      return Json.MAPPER.readTree(in);
    }
  }

  private static JsonNode yaml(String text) {
    DefinitionReader.Result read = DefinitionReader.parse(text, false);
    assertThat(read.problems()).isEmpty();
    return read.tree();
  }

  static List<Path> examples() {
    return Definitions.examples();
  }

  // ---- the schemas themselves ------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(
      strings = {
        "workflow.schema.json",
        "intake.schema.json",
        "event.schema.json",
        "result.schema.json",
        "step-report.schema.json",
        "dispatch.schema.json"
      })
  void shouldShipValidDraft2020SchemasWithTheirOwnId(String name) throws IOException {
    JsonNode schema = resource(name);
    JsonSchema meta =
        FACTORY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

    assertThat(meta.validate(schema)).isEmpty();
    assertThat(schema.get("$id").textValue()).isEqualTo(BASE + name);
  }

  // ---- workflow definitions --------------------------------------------------------------------

  @ParameterizedTest
  @MethodSource("examples")
  void shouldAcceptEveryExample(Path file) {
    JsonNode tree = DefinitionReader.read(file).tree();

    assertThat(problems("workflow.schema.json", tree)).isEmpty();
  }

  @Test
  void shouldAcceptEveryActionKindAndStepField() {
    JsonNode tree =
        yaml(
            """
            name: Everything
            type: sequential
            inputs: { version: v1, replicas: 3 }
            agent: { pool: build }
            onError: retry
            retries: 2
            backoff: { initial: 500ms, multiplier: 1.5, max: 1m, jitter: 0.1 }
            condition: true
            steps:
              - name: Shell
                type: sequential
                action:
                  kind: shell
                  command: "make \\"$1\\""
                  args: [ "${{ inputs.version }}", 3, true ]
                  env: { REPLICAS: "${{ inputs.replicas }}", DEBUG: false }
                  workdir: /srv
                timeout: 1h30m
                startTimeout: 600000
              - name: Fan
                type: parallel
                failFast: false
                steps:
                  - name: Call
                    action:
                      kind: http
                      method: post
                      url: "${{ inputs.host }}/hook"
                      headers: { X-Run: "1" }
                      body: { text: deployed }
                      expectStatus: [ 200, 201 ]
                    onError: continue
                    condition: "steps['Shell'].status == 'success'"
                  - name: Nothing
                    action: { kind: noop, result: { ok: true } }
                  - name: Wait
                    action: { kind: sleep, duration: 1.5s }
                  - name: Plug-in
                    action: { kind: kubernetes-apply, manifest: app.yaml }
            """);

    assertThat(problems("workflow.schema.json", tree)).isEmpty();
  }

  @Test
  void shouldRefuseWhatTheValidatorRefuses() {
    String[] broken = {
      // unknown field
      "name: R\nsteps: [ { name: A, retires: 1, action: { kind: noop } } ]\n",
      // both action and steps
      "name: R\n"
          + "steps: [ { name: A, action: { kind: noop }, steps: [ { name: B, action: { kind: noop }"
          + " } ] } ]\n",
      // neither
      "name: R\nsteps: [ { name: A } ]\n",
      // empty group
      "name: R\nsteps: []\n",
      // template in command
      "name: R\n"
          + "steps: [ { name: A, action: { kind: shell, command: \"echo ${{ inputs.x }}\" } } ]\n",
      // not a duration
      "name: R\nsteps: [ { name: A, timeout: 10 parsecs, action: { kind: noop } } ]\n",
      // zero timeout
      "name: R\nsteps: [ { name: A, timeout: 0, action: { kind: noop } } ]\n",
      // unknown onError
      "name: R\nonError: ignore\nsteps: [ { name: A, action: { kind: noop } } ]\n",
      // a built-in kind's unknown field
      "name: R\nsteps: [ { name: A, action: { kind: shell, comand: make } } ]\n",
      // http without url, with a bad method and status
      "name: R\nsteps: [ { name: A, action: { kind: http, method: FETCH, expectStatus: 700 } } ]\n",
      // sleep without duration
      "name: R\nsteps: [ { name: A, action: { kind: sleep } } ]\n",
      // a kind that is not a name
      "name: R\nsteps: [ { name: A, action: { kind: \"Deploy!\" } } ]\n",
      // failFast on a leaf, startTimeout on a group
      "name: R\nsteps: [ { name: A, failFast: true, action: { kind: noop } } ]\n",
      "name: R\nstartTimeout: 1m\nsteps: [ { name: A, action: { kind: noop } } ]\n",
      // inputs below the root
      "name: R\nsteps: [ { name: A, inputs: {}, action: { kind: noop } } ]\n",
      // a bad pool, a bad env name, retries out of range, a bad backoff
      "name: R\nsteps: [ { name: A, agent: { pool: \"a b\" }, action: { kind: noop } } ]\n",
      "name: R\nsteps: [ { name: A, action: { kind: shell, command: x, env: { 1A: x } } } ]\n",
      "name: R\nsteps: [ { name: A, retries: 1001, action: { kind: noop } } ]\n",
      "name: R\nsteps: [ { name: A, backoff: { jitter: 2 }, action: { kind: noop } } ]\n",
      // no name
      "steps: [ { name: A, action: { kind: noop } } ]\n"
    };
    for (String text : broken) {
      assertThat(problems("workflow.schema.json", yaml(text))).as(text).isNotEmpty();
    }
  }

  // ---- intake ----------------------------------------------------------------------------------

  @Test
  void shouldAcceptSerializedSubmitAndCancelMessages() throws IOException {
    JsonNode definition = DefinitionReader.read(examples().get(0)).tree();
    IntakeMessage submit =
        new IntakeMessage.Submit("run-1", definition, Map.of("version", TextNode.valueOf("v2")));
    IntakeMessage keyed = new IntakeMessage.Submit(null, definition, null);
    IntakeMessage cancel = new IntakeMessage.Cancel("run-1", "superseded");

    for (IntakeMessage m : List.of(submit, keyed, cancel)) {
      JsonNode written = Json.MAPPER.readTree(Json.write(m));
      assertThat(problems("intake.schema.json", written)).as(written.toString()).isEmpty();
    }
  }

  @Test
  void shouldAcceptTheIntakeMessagesOfTheContract() throws IOException {
    String submit =
        "{\"type\":\"submit\",\"runId\":\"r1\",\"definition\":{\"name\":\"R\",\"steps\":"
            + "[{\"name\":\"A\",\"action\":{\"kind\":\"noop\"}}]},\"inputs\":{\"v\":1}}";
    String cancel = "{\"type\":\"cancel\",\"runId\":\"r1\"}";

    assertThat(problems("intake.schema.json", Json.MAPPER.readTree(submit))).isEmpty();
    assertThat(problems("intake.schema.json", Json.MAPPER.readTree(cancel))).isEmpty();
  }

  @Test
  void shouldRefuseABrokenIntakeMessage() throws IOException {
    for (String text :
        List.of(
            "{\"type\":\"start\",\"runId\":\"r1\"}",
            "{\"type\":\"submit\",\"runId\":\"r1\"}",
            "{\"type\":\"submit\",\"definition\":{\"name\":\"R\",\"steps\":[]}}",
            "{\"type\":\"submit\",\"definition\":{\"name\":\"R\",\"steps\":[{\"name\":\"A\",\"action\":{\"kind\":\"noop\"}}]},\"input\":{}}",
            "{\"type\":\"cancel\"}")) {
      assertThat(problems("intake.schema.json", Json.MAPPER.readTree(text))).as(text).isNotEmpty();
    }
  }

  // ---- results and events ----------------------------------------------------------------------

  static WorkflowResult result() {
    Attempt first = new Attempt(1, AttemptStatus.FAILED, "agent-1", 1_000L, 200L, "exit 1: boom");
    Attempt second = new Attempt(2, AttemptStatus.SUCCESS, "agent-2", 2_200L, 300L, null);
    StepResult leaf =
        new StepResult(
            "Build",
            "Release.sequential[0]",
            StepStatus.SUCCESS,
            1_500,
            Json.tree(Map.of("image", "app:1")),
            null,
            1,
            "agent-2",
            List.of(first, second),
            null,
            null);
    StepResult failed =
        new StepResult(
            "Notify",
            "Release.sequential[1]",
            StepStatus.FAILED,
            10,
            null,
            "exit 2: no route",
            0,
            "agent-1",
            List.of(),
            null,
            null);
    StepResult root =
        new StepResult(
            "Release", "Release", StepStatus.SUCCESS, 2_000, null, null, 0, null, null, null, null);
    return new WorkflowResult(
        "run-1",
        "Release",
        true,
        RunStatus.SUCCESS,
        2_000,
        List.of(leaf, failed, root),
        List.of(new ErrorEntry("Release.sequential[1]", "Notify", "exit 2: no route")),
        null);
  }

  @Test
  void shouldAcceptASerializedResult() throws IOException {
    JsonNode written = Json.MAPPER.readTree(Json.write(result()));

    assertThat(written.get("steps").get(2).has("result")).as("nulls are left out").isFalse();
    assertThat(problems("result.schema.json", written)).isEmpty();
  }

  @Test
  void shouldRefuseAResultWithAnUnknownStatus() throws IOException {
    ObjectNode written = (ObjectNode) Json.MAPPER.readTree(Json.write(result()));
    written.put("status", "done");

    assertThat(problems("result.schema.json", written)).isNotEmpty();
  }

  @Test
  void shouldAcceptSerializedEventsOfEveryKind() throws IOException {
    String path = "Release.sequential[0]";
    List<WorkflowEvent> events =
        List.of(
            new WorkflowEvent(
                EventType.WORKFLOW_START,
                "run-1",
                "Release",
                "Release",
                AT,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null),
            new WorkflowEvent(
                EventType.STEP_START,
                "run-1",
                path,
                "Build",
                AT,
                1,
                null,
                null,
                null,
                null,
                null,
                null,
                null),
            new WorkflowEvent(
                EventType.STEP_RETRY,
                "run-1",
                path,
                "Build",
                AT,
                2,
                "agent-1",
                null,
                "exit 1: boom",
                1_000L,
                null,
                null,
                null),
            new WorkflowEvent(
                EventType.STEP_COMPLETE,
                "run-1",
                path,
                "Build",
                AT,
                2,
                "agent-2",
                1_500L,
                null,
                null,
                IntNode.valueOf(3),
                null,
                null),
            new WorkflowEvent(
                EventType.STEP_LOST,
                "run-1",
                path,
                "Build",
                AT,
                1,
                "agent-3",
                null,
                "agent stopped",
                null,
                null,
                null,
                null),
            new WorkflowEvent(
                EventType.DISPATCH_REFUSED,
                "run-1",
                path,
                null,
                AT,
                null,
                "agent-3",
                null,
                null,
                null,
                null,
                "bad signature",
                null),
            new WorkflowEvent(
                EventType.WORKFLOW_CANCELLED,
                "run-1",
                "Release",
                "Release",
                AT,
                null,
                null,
                null,
                null,
                null,
                null,
                "by user",
                null),
            new WorkflowEvent(
                EventType.WORKFLOW_COMPLETE,
                "run-1",
                "Release",
                "Release",
                AT,
                null,
                null,
                2_000L,
                null,
                null,
                Json.tree(result()),
                null,
                null),
            new WorkflowEvent(
                EventType.WORKFLOW_REJECTED,
                "run-1",
                null,
                null,
                AT,
                null,
                null,
                null,
                null,
                null,
                null,
                "runId differs from the key",
                null));

    for (WorkflowEvent e : events) {
      JsonNode written = Json.MAPPER.readTree(Json.write(e));
      assertThat(problems("event.schema.json", written)).as(written.toString()).isEmpty();
    }
  }

  @Test
  void shouldRefuseAWorkflowCompleteEventWithoutItsResult() throws IOException {
    WorkflowEvent bare =
        new WorkflowEvent(
            EventType.WORKFLOW_COMPLETE,
            "run-1",
            "Release",
            "Release",
            AT,
            null,
            null,
            2_000L,
            null,
            null,
            IntNode.valueOf(1),
            null,
            null);

    assertThat(problems("event.schema.json", Json.MAPPER.readTree(Json.write(bare)))).isNotEmpty();
  }

  @Test
  void shouldRefuseAnEventWithAnUnknownTypeOrABadTime() throws IOException {
    ObjectNode e =
        (ObjectNode)
            Json.MAPPER.readTree("{\"type\":\"step:done\",\"runId\":\"r\",\"at\":\"" + AT + "\"}");
    assertThat(problems("event.schema.json", e)).isNotEmpty();

    e.put("type", "step:start").put("at", "yesterday");
    assertThat(problems("event.schema.json", e)).isNotEmpty();
  }

  // ---- agent messages --------------------------------------------------------------------------

  @Test
  void shouldAcceptSerializedStepReportsOfEveryKind() throws IOException {
    List<StepReport> reports =
        List.of(
            new StepReport.Started("run-1", "7:R.sequential[0]", 1, "agent-1", 1_000),
            new StepReport.Retrying(
                "run-1", "7:R.sequential[0]", 1, "agent-1", 1_100, "exit 1: x", false, 1_000),
            new StepReport.Finished(
                "run-1",
                "7:R.sequential[0]",
                2,
                "agent-1",
                2_200,
                AttemptStatus.SUCCESS,
                Json.tree(Map.of("a", 1)),
                null),
            new StepReport.Finished(
                "run-1",
                "7:R.sequential[0]",
                2,
                "agent-1",
                2_200,
                AttemptStatus.TIMEOUT,
                null,
                "timed out after 10s"),
            new StepReport.Returned(
                "run-1", "7:R.sequential[0]", 1, "agent-1", 1_500, "agent stopping"),
            new StepReport.Refused(
                "run-1", "7:R.sequential[0]", "agent-1", 1_000, "bad signature", false));

    for (StepReport r : reports) {
      JsonNode written = Json.MAPPER.readTree(Json.write(r));
      assertThat(problems("step-report.schema.json", written)).as(written.toString()).isEmpty();
    }
  }

  @Test
  void shouldAcceptSerializedDispatchesOfEveryBuiltInKind() throws IOException {
    List<Action> actions =
        List.of(
            new Action.Shell(
                "make \"$1\"",
                List.of("${{ inputs.v }}"),
                Map.of("V", "${{ inputs.v }}"),
                Optional.of("/srv")),
            new Action.Http(
                "POST",
                "https://chat.example/hook",
                Map.of("X-Run", "1"),
                Optional.of("done"),
                List.of(201)),
            new Action.Noop(Optional.of(IntNode.valueOf(1))),
            new Action.Sleep(Duration.ofSeconds(2)),
            new Action.Plugin(
                "kubernetes-apply",
                Json.tree(Map.of("kind", "kubernetes-apply", "manifest", "app.yaml"))));

    for (Action a : actions) {
      Dispatch d =
          new Dispatch(
              "run-1",
              "7:R.sequential[0]",
              "R.sequential[0]",
              "Build",
              "build",
              ActionJson.write(a, v -> v.replace("${{ inputs.v }}", "v2")),
              300_000,
              1,
              3,
              new Dispatch.Backoff(1_000, 2.0, 30_000, 0.0),
              "run-1:R.sequential[0]",
              1_000,
              null,
              null,
              null);
      JsonNode written = Json.MAPPER.readTree(Json.write(d));
      assertThat(problems("dispatch.schema.json", written)).as(written.toString()).isEmpty();
    }
  }

  // ---- the schemas keep up with the records ----------------------------------------------------

  private static Set<String> fields(Class<? extends Record> type) {
    return Arrays.stream(type.getRecordComponents())
        .map(RecordComponent::getName)
        .collect(Collectors.toSet());
  }

  private static Set<String> declared(JsonNode... objectSchemas) {
    Set<String> names = new HashSet<>();
    for (JsonNode s : objectSchemas) {
      s.get("properties").fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static Set<String> plusType(Set<String> names) {
    Set<String> all = new HashSet<>(names);
    all.add("type");
    return all;
  }

  @Test
  void shouldDeclareEveryFieldOfTheRecordsTheyDescribe() throws IOException {
    JsonNode result = resource("result.schema.json").get("$defs");
    JsonNode event = resource("event.schema.json");
    JsonNode dispatch = resource("dispatch.schema.json");
    JsonNode report = resource("step-report.schema.json");
    JsonNode intake = resource("intake.schema.json").get("$defs");

    assertThat(declared(result.get("workflowResult"))).isEqualTo(fields(WorkflowResult.class));
    assertThat(declared(result.get("stepResult"))).isEqualTo(fields(StepResult.class));
    assertThat(declared(result.get("attempt"))).isEqualTo(fields(Attempt.class));
    assertThat(declared(result.get("errorEntry"))).isEqualTo(fields(ErrorEntry.class));
    assertThat(declared(event)).isEqualTo(fields(WorkflowEvent.class));
    assertThat(declared(dispatch)).isEqualTo(fields(Dispatch.class));
    assertThat(declared(dispatch.get("properties").get("backoff")))
        .isEqualTo(fields(Dispatch.Backoff.class));
    Map<String, Class<? extends Record>> reports =
        Map.of(
            "started", StepReport.Started.class,
            "retry", StepReport.Retrying.class,
            "finished", StepReport.Finished.class,
            "returned", StepReport.Returned.class,
            "refused", StepReport.Refused.class);
    reports.forEach(
        (name, type) ->
            assertThat(declared(report, report.get("$defs").get(name)))
                .as(name)
                .isEqualTo(plusType(fields(type))));
    assertThat(declared(intake.get("submit")))
        .isEqualTo(plusType(fields(IntakeMessage.Submit.class)));
    assertThat(declared(intake.get("cancel")))
        .isEqualTo(plusType(fields(IntakeMessage.Cancel.class)));
  }

  @Test
  void shouldListEveryEventTypeAndStatus() throws IOException {
    JsonNode types = resource("event.schema.json").get("properties").get("type").get("enum");
    JsonNode result = resource("result.schema.json").get("$defs");

    assertThat(texts(types))
        .isEqualTo(
            Arrays.stream(EventType.values()).map(EventType::wire).collect(Collectors.toSet()));
    assertThat(texts(result.get("workflowResult").get("properties").get("status").get("enum")))
        .isEqualTo(
            Arrays.stream(RunStatus.values()).map(RunStatus::word).collect(Collectors.toSet()));
    assertThat(texts(result.get("stepResult").get("properties").get("status").get("enum")))
        .isEqualTo(
            Arrays.stream(StepStatus.values()).map(StepStatus::word).collect(Collectors.toSet()));
    assertThat(texts(result.get("attempt").get("properties").get("status").get("enum")))
        .isEqualTo(
            Arrays.stream(AttemptStatus.values())
                .map(AttemptStatus::word)
                .collect(Collectors.toSet()));
  }

  private static Set<String> texts(JsonNode array) {
    Set<String> out = new HashSet<>();
    array.forEach(n -> out.add(n.textValue()));
    return out;
  }
}
