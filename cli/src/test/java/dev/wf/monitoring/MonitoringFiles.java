package dev.wf.monitoring;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * deploy/'s monitoring files: the Prometheus scrape config and the Grafana dashboard, read as
 * Prometheus and Grafana read them.
 */
public final class MonitoringFiles {
  public static final Path DEPLOY = locate();
  public static final Path PROMETHEUS = DEPLOY.resolve("prometheus/prometheus.yml");
  public static final Path DASHBOARD = DEPLOY.resolve("grafana/wf-dashboard.json");

  private MonitoringFiles() {}

  /** A scrape job: its name, path, whether it sends a bearer token, and its static targets. */
  public record Job(String name, String metricsPath, boolean authorized, List<String> targets) {}

  /** A query of a panel (or of a template variable), with where it is for messages. */
  public record Query(String where, String expr) {}

  public static List<Job> jobs() {
    JsonNode root = read(PROMETHEUS, new ObjectMapper(new YAMLFactory()));
    List<Job> out = new ArrayList<>();
    for (JsonNode j : root.path("scrape_configs")) {
      List<String> targets = new ArrayList<>();
      for (JsonNode sc : j.path("static_configs")) {
        sc.path("targets").forEach(t -> targets.add(t.asText()));
      }
      out.add(
          new Job(
              j.path("job_name").asText(),
              j.path("metrics_path").asText("/metrics"),
              j.has("authorization") || j.has("bearer_token_file") || j.has("bearer_token"),
              targets));
    }
    return out;
  }

  public static Job job(String name) {
    return jobs().stream()
        .filter(j -> j.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no scrape job " + name + " in " + PROMETHEUS));
  }

  /** Every PromQL expression of the dashboard: panel targets, nested rows included. */
  public static List<Query> dashboardQueries() {
    JsonNode d = read(DASHBOARD, new ObjectMapper());
    List<Query> out = new ArrayList<>();
    collect(d.path("panels"), out);
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        String q =
            v.path("query").isObject()
                ? v.path("query").path("query").asText()
                : v.path("query").asText();
        out.add(new Query("variable " + v.path("name").asText(), q));
      }
    }
    return out;
  }

  private static void collect(JsonNode panels, List<Query> out) {
    for (JsonNode p : panels) {
      for (JsonNode t : p.path("targets")) {
        if (t.has("expr")) {
          out.add(
              new Query(
                  "panel \"" + p.path("title").asText() + "\" " + t.path("refId").asText(),
                  t.path("expr").asText()));
        }
      }
      collect(p.path("panels"), out);
    }
  }

  private static JsonNode read(Path f, ObjectMapper mapper) {
    try {
      return mapper.readTree(Files.readString(f));
    } catch (IOException e) {
      throw new UncheckedIOException(f + ": " + e.getMessage(), e);
    }
  }

  private static Path locate() {
    for (String candidate : List.of("../deploy", "deploy")) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p.resolve("systemd"))) {
        return p;
      }
    }
    throw new AssertionError("no deploy/ next to the cli module or in the working folder");
  }
}
