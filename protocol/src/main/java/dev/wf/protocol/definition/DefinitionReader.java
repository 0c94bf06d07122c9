package dev.wf.protocol.definition;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a definition file (YAML or JSON) into a JSON tree, turning every way that can fail into one
 * {@link Problem} with a line and column where there is one.
 */
public final class DefinitionReader {
  /** Larger files are refused before parsing. */
  public static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

  private static final ObjectMapper YAML =
      YAMLMapper.builder(YAMLFactory.builder().build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

  /** The tree, or the problems that kept it from being read. */
  public record Result(JsonNode tree, List<Problem> problems) {
    public Result {
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return tree != null;
    }
  }

  private DefinitionReader() {}

  /** Reads {@code file}; JSON when it ends in {@code .json}, else YAML (a superset of JSON). */
  public static Result read(Path file) {
    byte[] bytes;
    try {
      if (Files.isDirectory(file)) {
        return failed(file + " is a directory, not a workflow file");
      }
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        return failed(file + " is " + size + " bytes; the limit is " + MAX_FILE_BYTES);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return failed(file + ": no such file");
    } catch (IOException e) {
      return failed(file + ": cannot read: " + e.getMessage());
    }
    boolean json =
        file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
    return parse(new String(bytes, StandardCharsets.UTF_8), json);
  }

  /** Parses {@code text} as JSON ({@code json}) or YAML. */
  public static Result parse(String text, boolean json) {
    if (text.isBlank()) {
      return failed("the workflow is empty");
    }
    try {
      JsonNode tree = (json ? JSON : YAML).readTree(text);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        return failed("the workflow is empty");
      }
      return new Result(tree, List.of());
    } catch (JsonProcessingException e) {
      return failed(syntaxMessage(e, json));
    }
  }

  private static String syntaxMessage(JsonProcessingException e, boolean json) {
    if (e.getCause() instanceof MarkedYAMLException y) {
      return yamlMessage(y, e);
    }
    JsonLocation at = e.getLocation();
    String what = json ? "JSON" : "YAML";
    String message = e.getOriginalMessage();
    if (message == null) {
      message = e.getClass().getSimpleName();
    }
    message = message.lines().findFirst().orElse(message).trim();
    if (message.startsWith("Duplicate field")) {
      message = "duplicate key " + message.substring("Duplicate field".length()).trim();
    }
    if (at == null || at.getLineNr() < 1) {
      return what + " syntax error: " + message;
    }
    return what
        + " syntax error at line "
        + at.getLineNr()
        + ", column "
        + at.getColumnNr()
        + ": "
        + message;
  }

  /**
   * SnakeYAML's first line is only the context ("while parsing a flow mapping"); the problem and
   * the place it was found come after it.
   */
  private static String yamlMessage(MarkedYAMLException y, JsonProcessingException e) {
    Mark at = y.getProblemMark();
    if (y.getProblem() == null || at == null) {
      return "YAML syntax error: " + e.getOriginalMessage().lines().findFirst().orElse("").trim();
    }
    String context = "";
    if (y.getContext() != null && y.getContextMark() != null) {
      Mark c = y.getContextMark();
      context =
          " ("
              + y.getContext()
              + " at line "
              + (c.getLine() + 1)
              + ", column "
              + (c.getColumn() + 1)
              + ")";
    }
    return "YAML syntax error at line "
        + (at.getLine() + 1)
        + ", column "
        + (at.getColumn() + 1)
        + ": "
        + y.getProblem().trim()
        + context;
  }

  private static Result failed(String message) {
    return new Result(null, List.of(Problem.error("", message)));
  }
}
