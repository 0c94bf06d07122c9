package dev.wf.protocol.definition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.WorkflowValidator.Validation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Fixtures for definition tests: read YAML or JSON text, validate it, show problems as users do.
 */
public final class Definitions {
  private Definitions() {}

  /** Parses {@code yaml} (which must be well-formed) and validates it. */
  public static Validation validate(String yaml) {
    return validate(yaml, WorkflowValidator.Limits.DEFAULT);
  }

  public static Validation validate(String yaml, WorkflowValidator.Limits limits) {
    DefinitionReader.Result read = DefinitionReader.parse(yaml, false);
    assertThat(read.problems()).as("the fixture must be well-formed YAML").isEmpty();
    return WorkflowValidator.validate(read.tree(), limits);
  }

  /** The errors as {@code wf validate} prints them: {@code PATH: message}. */
  public static List<String> errors(Validation v) {
    return v.errors().stream().map(Problem::toString).toList();
  }

  public static List<String> warnings(Validation v) {
    return v.warnings().stream().map(Problem::toString).toList();
  }

  /** The root group of a valid definition. */
  public static Group root(Validation v) {
    assertThat(errors(v)).isEmpty();
    return (Group) v.workflow().orElseThrow().root();
  }

  /** The leaf at {@code index} under the root of a valid definition. */
  public static Leaf leaf(Validation v, int index) {
    return (Leaf) root(v).steps().get(index);
  }

  /** A workflow whose only step is a leaf with {@code fields} (YAML lines, indented by 4). */
  public static String leafWith(String... fields) {
    StringBuilder yaml = new StringBuilder("name: Root\nsteps:\n  - name: Only\n");
    for (String f : fields) {
      yaml.append("    ").append(f).append('\n');
    }
    return yaml.toString();
  }

  /** The example workflows shipped in the repository's {@code examples} folder. */
  public static List<Path> examples() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("examples"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("an examples folder above " + Path.of("").toAbsolutePath()).isNotNull();
    try (Stream<Path> files = Files.list(dir.resolve("examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
