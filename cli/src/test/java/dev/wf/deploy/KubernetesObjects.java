package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The objects deploy/kubernetes/kustomization.yaml lists, and the containers of their pod templates
 * with the environment each one gets.
 *
 * @param kustomization the kustomization itself
 * @param objects every document of the listed files, with the file it is in
 * @param configMaps each ConfigMap's data, by name
 * @param containers every container of a pod template
 */
record KubernetesObjects(
    JsonNode kustomization,
    List<KubeObject> objects,
    Map<String, Map<String, String>> configMaps,
    List<Container> containers) {
  static final Path DIR = DeployFiles.resolve("kubernetes");

  /** A document and the file it is in (kubernetes/...). */
  record KubeObject(String file, JsonNode doc) {
    String kind() {
      return doc.path("kind").asText();
    }

    String name() {
      return doc.at("/metadata/name").asText();
    }
  }

  /**
   * A container of a workload's pod template.
   *
   * @param where the file, object and container, for messages
   * @param command the wf subcommand it runs
   * @param own the variables it sets itself; {@code fieldRef:<path>} or {@code valueFrom} where the
   *     value comes from elsewhere
   * @param env what the process sees: its ConfigMaps' data overridden by its own variables
   */
  record Container(
      String where,
      KubeObject workload,
      JsonNode node,
      List<String> argv,
      String command,
      Map<String, String> own,
      Map<String, String> env) {
    JsonNode pod() {
      return workload.doc().at("/spec/template/spec");
    }

    List<String> configMapRefs() {
      List<String> out = new ArrayList<>();
      node.path("envFrom").forEach(from -> out.add(from.at("/configMapRef/name").asText()));
      return out;
    }
  }

  static KubernetesObjects read() {
    JsonNode kustomization = YamlDocs.read(DIR.resolve("kustomization.yaml")).get(0);
    List<KubeObject> objects = new ArrayList<>();
    for (String r : YamlDocs.texts(kustomization.path("resources"))) {
      for (JsonNode d : YamlDocs.read(DIR.resolve(r))) {
        objects.add(new KubeObject("kubernetes/" + r, d));
      }
    }
    return of(kustomization, objects);
  }

  /** The containers and ConfigMaps of {@code objects} (the kit's, or a changed copy of them). */
  static KubernetesObjects of(JsonNode kustomization, List<KubeObject> objects) {
    Map<String, Map<String, String>> configMaps = new TreeMap<>();
    objects.stream()
        .filter(o -> o.kind().equals("ConfigMap"))
        .forEach(o -> configMaps.put(o.name(), YamlDocs.envMap(o.doc().path("data"))));
    List<Container> containers = new ArrayList<>();
    for (KubeObject o : objects) {
      JsonNode pod = o.doc().at("/spec/template/spec");
      if (!pod.has("containers")) {
        continue;
      }
      for (JsonNode c : pod.path("containers")) {
        containers.add(container(o, c, configMaps));
      }
    }
    return new KubernetesObjects(kustomization, objects, configMaps, containers);
  }

  /** The files the kustomization applies. */
  List<String> resources() {
    return YamlDocs.texts(kustomization.path("resources"));
  }

  List<KubeObject> ofKind(String kind) {
    return objects.stream().filter(o -> o.kind().equals(kind)).toList();
  }

  /** The workload whose container runs {@code command} (the last one, if several do). */
  KubeObject workloadOf(String command) {
    KubeObject found = null;
    for (Container c : containers) {
      if (c.command().equals(command)) {
        found = c.workload();
      }
    }
    assertThat(found).as("a workload running wf " + command).isNotNull();
    return found;
  }

  /** Every label of the selector is on the pod (an empty selector selects nothing here). */
  static boolean selects(JsonNode selector, JsonNode labels) {
    if (!selector.isObject() || selector.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!labels.path(e.getKey()).asText("\u0000").equals(e.getValue().asText())) {
        return false;
      }
    }
    return true;
  }

  private static Container container(
      KubeObject workload, JsonNode c, Map<String, Map<String, String>> configMaps) {
    String where =
        workload.file()
            + " "
            + workload.kind()
            + "/"
            + workload.name()
            + " container "
            + c.path("name").asText();
    List<String> argv = YamlDocs.argv(c, "command", "args");
    String command =
        CommandLines.jarCommand(argv)
            .orElseThrow(
                () -> new AssertionError(where + " runs no java -jar .../wf.jar <command>"));
    Map<String, String> own = new LinkedHashMap<>();
    c.path("env").forEach(e -> own.put(e.path("name").asText(), value(e)));
    Map<String, String> env = new LinkedHashMap<>();
    c.path("envFrom")
        .forEach(
            from ->
                env.putAll(
                    configMaps.getOrDefault(from.at("/configMapRef/name").asText(), Map.of())));
    env.putAll(own);
    return new Container(where, workload, c, argv, command, own, env);
  }

  private static String value(JsonNode envEntry) {
    if (envEntry.has("value")) {
      return envEntry.path("value").asText();
    }
    String path = envEntry.at("/valueFrom/fieldRef/fieldPath").asText("");
    return path.isEmpty() ? "valueFrom" : "fieldRef:" + path;
  }
}
