package dev.wf.protocol.definition;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

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
      return json ? new Result(tree, List.of()) : expandAnchors(text, tree);
    } catch (JsonProcessingException e) {
      return failed(syntaxMessage(e, json));
    }
  }

  /**
   * A YAML file that uses anchors, aliases or merge keys ({@code <<: *base}) is read again with
   * SnakeYAML's loader, which expands them (Jackson's tree keeps an alias as its name). Its values
   * are YAML 1.1's (so {@code on} is a bool there); dates become strings.
   */
  private static Result expandAnchors(String text, JsonNode tree) {
    if (!text.contains("&") && !text.contains("*") && !text.contains("<<")) {
      return new Result(tree, List.of());
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    // few aliases of mappings or lists: enough for sharing step settings, too few for an alias bomb
    options.setMaxAliasesForCollections(20);
    try {
      Object loaded = new Yaml(new SafeConstructor(options)).load(text);
      return new Result(Json.MAPPER.valueToTree(plain(loaded)), List.of());
    } catch (YAMLException e) {
      String message =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      return failed("YAML error: " + message);
    }
  }

  /** SnakeYAML's values as JSON-friendly ones (dates as ISO text, binary as base64). */
  private static Object plain(Object v) {
    if (v instanceof java.util.Map<?, ?> m) {
      java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, x) -> out.put(String.valueOf(k), plain(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      return l.stream().map(DefinitionReader::plain).toList();
    }
    if (v instanceof java.util.Date d) {
      return d.toInstant().toString();
    }
    if (v instanceof byte[] b) {
      return java.util.Base64.getEncoder().encodeToString(b);
    }
    return v;
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
