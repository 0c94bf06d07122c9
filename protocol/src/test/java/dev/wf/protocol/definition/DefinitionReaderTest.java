package dev.wf.protocol.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a definition file: every way it can fail is one line, with a place where there is one.
 */
class DefinitionReaderTest {
  @TempDir Path dir;

  private static String onlyProblem(DefinitionReader.Result read) {
    assertThat(read.ok()).isFalse();
    assertThat(read.tree()).isNull();
    assertThat(read.problems()).hasSize(1);
    String line = read.problems().get(0).toString();
    assertThat(line).doesNotContain("\n");
    return line;
  }

  @Test
  void shouldGiveTheLineAndColumnOfAYamlSyntaxError() {
    String yaml =
        """
        name: Root
        steps:
          - name: A
            action: { kind: noop
          - name: B
        """;

    assertThat(onlyProblem(DefinitionReader.parse(yaml, false)))
        .isEqualTo(
            "YAML syntax error at line 5, column 9: expected ',' or '}', but got :"
                + " (while parsing a flow mapping at line 4, column 13)");
  }

  @Test
  void shouldPointAtATabUsedForIndentation() {
    String yaml = "name: Root\nsteps:\n\t- name: A\n";

    assertThat(onlyProblem(DefinitionReader.parse(yaml, false)))
        .startsWith("YAML syntax error at line 3, column 1: found character '\\t(TAB)'");
  }

  @Test
  void shouldPointAtAnUnclosedQuote() {
    String yaml = "name: \"Root\nsteps: []\n";

    assertThat(onlyProblem(DefinitionReader.parse(yaml, false)))
        .isEqualTo(
            "YAML syntax error at line 3, column 1: found unexpected end of stream"
                + " (while scanning a quoted scalar at line 1, column 7)");
  }

  @Test
  void shouldRefuseADuplicateYamlKey() {
    String yaml =
        """
        name: Root
        steps:
          - name: A
            action: { kind: noop }
            action: { kind: shell, command: make }
        """;

    assertThat(onlyProblem(DefinitionReader.parse(yaml, false)))
        .isEqualTo("YAML syntax error at line 5, column 11: duplicate key 'action'");
  }

  @Test
  void shouldReadJsonWhenAskedTo() {
    DefinitionReader.Result read =
        DefinitionReader.parse(
            "{\"name\": \"Root\", \"steps\": [{\"name\": \"A\", \"action\": {\"kind\":"
                + " \"noop\"}}]}",
            true);

    assertThat(read.problems()).isEmpty();
    assertThat(read.tree().get("steps").get(0).get("name").textValue()).isEqualTo("A");
  }

  @Test
  void shouldGiveTheLineAndColumnOfAJsonSyntaxError() {
    String json = "{\n  \"name\": \"Root\",\n  \"steps\": [],\n}\n";

    assertThat(onlyProblem(DefinitionReader.parse(json, true)))
        .startsWith("JSON syntax error at line 4, column 1: Unexpected character ('}'");
  }

  @Test
  void shouldRefuseADuplicateJsonKey() {
    String json = "{\"name\": \"Root\", \"name\": \"Other\", \"steps\": []}";

    assertThat(onlyProblem(DefinitionReader.parse(json, true)))
        .isEqualTo("JSON syntax error at line 1, column 24: duplicate key 'name'");
  }

  @Test
  void shouldNotReadYamlAsJson() {
    assertThat(onlyProblem(DefinitionReader.parse("name: Root\n", true)))
        .startsWith("JSON syntax error at line 1");
  }

  @Test
  void shouldSayThatAnEmptyWorkflowIsEmpty() {
    assertThat(onlyProblem(DefinitionReader.parse("", false))).isEqualTo("the workflow is empty");
    assertThat(onlyProblem(DefinitionReader.parse("# nothing yet\n", false)))
        .isEqualTo("the workflow is empty");
  }

  @Test
  void shouldReportAMissingFileInOneLine() {
    Path missing = dir.resolve("missing.yaml");

    assertThat(onlyProblem(DefinitionReader.read(missing))).isEqualTo(missing + ": no such file");
  }

  @Test
  void shouldReportADirectoryInOneLine() {
    assertThat(onlyProblem(DefinitionReader.read(dir)))
        .isEqualTo(dir + " is a directory, not a workflow file");
  }

  @Test
  void shouldRefuseAFileLargerThanTheLimit() throws IOException {
    Path big = dir.resolve("big.yaml");
    Files.write(big, new byte[(int) DefinitionReader.MAX_FILE_BYTES + 1]);

    assertThat(onlyProblem(DefinitionReader.read(big)))
        .isEqualTo(
            big
                + " is "
                + (DefinitionReader.MAX_FILE_BYTES + 1)
                + " bytes; the limit is "
                + DefinitionReader.MAX_FILE_BYTES);
  }

  @Test
  void shouldReadAYamlFileAndAJsonFileByTheirExtension() throws IOException {
    Path yaml = Files.writeString(dir.resolve("flow.yaml"), "name: Root\nsteps: []\n");
    Path json = Files.writeString(dir.resolve("flow.JSON"), "{\"name\": \"Root\", \"steps\": []}");
    Path jsonWithYamlInside = Files.writeString(dir.resolve("wrong.json"), "name: Root\n");

    assertThat(DefinitionReader.read(yaml).tree().get("name").textValue()).isEqualTo("Root");
    assertThat(DefinitionReader.read(json).tree().get("name").textValue()).isEqualTo("Root");
    assertThat(onlyProblem(DefinitionReader.read(jsonWithYamlInside)))
        .startsWith("JSON syntax error");
  }

  @org.junit.jupiter.api.Test
  void shouldExpandAnchorsAliasesAndMergeKeys() {
    DefinitionReader.Result r =
        DefinitionReader.parse(
            """
            name: Anchors
            type: sequential
            steps:
              - &base
                name: A
                action: &noop { kind: noop }
                retries: 2
              - <<: *base
                name: B
              - { name: C, action: *noop }
            """,
            false);
    org.assertj.core.api.Assertions.assertThat(r.problems()).isEmpty();
    org.assertj.core.api.Assertions.assertThat(r.tree().get("steps").get(1).toString())
        .isEqualTo("{\"name\":\"B\",\"action\":{\"kind\":\"noop\"},\"retries\":2}");
    org.assertj.core.api.Assertions.assertThat(
            r.tree().get("steps").get(2).get("action").get("kind").asText())
        .isEqualTo("noop");
    org.assertj.core.api.Assertions.assertThat(WorkflowValidator.validate(r.tree()).errors())
        .isEmpty();
  }

  @org.junit.jupiter.api.Test
  void shouldRefuseAliasBombs() {
    StringBuilder y = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char p = (char) (c - 1);
      y.append(c)
          .append(": &")
          .append(c)
          .append(" [*")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append(", *")
          .append(p)
          .append("]\n");
    }
    y.append("name: Bomb\naction: { kind: noop }\n");
    DefinitionReader.Result r = DefinitionReader.parse(y.toString(), false);
    org.assertj.core.api.Assertions.assertThat(r.ok()).isFalse();
    org.assertj.core.api.Assertions.assertThat(r.problems().get(0).message())
        .startsWith("YAML error:");
  }
}
