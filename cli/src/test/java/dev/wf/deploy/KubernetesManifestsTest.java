package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.deploy.KubernetesObjects.Container;
import dev.wf.deploy.KubernetesObjects.KubeObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes: the manifests the kustomization applies, against the CLI and the Dockerfile.
 * Only parsed: no object is applied to a cluster.
 */
class KubernetesManifestsTest {
  private static final CliModel CLI = CliModel.WF;
  private static final Pattern VAR_REF = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

  private final KubernetesObjects k8s = KubernetesObjects.read();

  @Test
  void theKustomizationAppliesEveryManifest() {
    List<String> resources = k8s.resources();
    assertThat(resources)
        .as("kubernetes/kustomization.yaml resources")
        .contains(
            "namespace.yaml",
            "configmap.yaml",
            "coordinator-statefulset.yaml",
            "agent-deployment.yaml");
    List<String> manifests =
        DeployFiles.list(KubernetesObjects.DIR).stream()
            .map(p -> p.getFileName().toString())
            .filter(n -> DeployFiles.isYaml(Path.of(n)) && !n.equals("kustomization.yaml"))
            .toList();
    assertThat(resources)
        .as("every manifest is in the kustomization")
        .containsExactlyInAnyOrderElementsOf(manifests);
  }

  @Test
  void everyObjectHasAnApiVersionAKindAndAName() {
    for (KubeObject o : k8s.objects()) {
      JsonNode d = o.doc();
      assertThat(d.has("apiVersion") && d.has("kind") && d.path("metadata").has("name"))
          .as(o.file() + ": " + d)
          .isTrue();
    }
  }

  @Test
  void everyContainerRunsTheJarTheDockerfileCopies() {
    String jar = Dockerfile.read().copiedJar();
    DeployLint lint = new DeployLint();
    for (Container c : k8s.containers()) {
      lint.commandLines(c.where(), List.of(String.join(" ", c.argv())));
      assertThat(CommandLines.jarPath(c.argv()))
          .as(c.where() + ": the jar the Dockerfile copies")
          .isEqualTo(jar);
    }
    lint.assertNoProblems();
  }

  @Test
  void everyContainerSetsOnlyVariablesItsCommandReads() {
    DeployLint lint = new DeployLint();
    for (Container c : k8s.containers()) {
      lint.assignments(c.where(), c.command(), c.own());
      for (String cm : c.configMapRefs()) {
        assertThat(k8s.configMaps()).as(c.where() + " envFrom").containsKey(cm);
      }
    }
    lint.assertNoProblems();
  }

  @Test
  void aSharedConfigMapHoldsOnlyVariablesOneOfItsCommandsReads() {
    assertThat(k8s.configMaps()).as("ConfigMaps in kubernetes/").isNotEmpty();
    Map<String, Set<String>> commandsOfConfigMap = new TreeMap<>();
    for (Container c : k8s.containers()) {
      c.configMapRefs()
          .forEach(
              cm -> commandsOfConfigMap.computeIfAbsent(cm, x -> new TreeSet<>()).add(c.command()));
    }
    DeployLint lint = new DeployLint();
    commandsOfConfigMap.forEach(
        (cm, commands) -> {
          Map<String, String> data = k8s.configMaps().get(cm);
          assertThat(data).as("ConfigMap " + cm + ", named by envFrom").isNotNull();
          lint.sharedAssignments("ConfigMap " + cm, commands, data);
        });
    lint.assertNoProblems();
  }

  @Test
  void theCoordinatorIsAStatefulSetBehindAHeadlessServiceAndAgentsADeployment() {
    KubeObject sts = k8s.workloadOf("coordinator");
    assertThat(sts.kind()).as(sts.file() + ": the coordinator's workload").isEqualTo("StatefulSet");
    KubeObject agents = k8s.workloadOf("agent");
    assertThat(agents.kind()).as(agents.file() + ": the agents' workload").isEqualTo("Deployment");
    String serviceName = sts.doc().at("/spec/serviceName").asText();
    JsonNode service =
        k8s.ofKind("Service").stream()
            .filter(o -> o.name().equals(serviceName))
            .findFirst()
            .orElseThrow(
                () ->
                    new AssertionError(
                        "no Service " + serviceName + ", serviceName of " + sts.file()))
            .doc();
    assertThat(service.at("/spec/clusterIP").asText())
        .as("Service " + serviceName + " is headless")
        .isEqualTo("None");
    assertThat(
            KubernetesObjects.selects(
                service.at("/spec/selector"), sts.doc().at("/spec/template/metadata/labels")))
        .as("the Service selects the coordinator pods")
        .isTrue();
    assertThat(k8s.ofKind("Namespace"))
        .as("the Namespace objects vs the kustomization's namespace")
        .extracting(KubeObject::name)
        .containsExactly(k8s.kustomization().path("namespace").asText());
  }

  @Test
  void everyWorkloadSelectsItsPods() {
    for (Container c : k8s.containers()) {
      JsonNode w = c.workload().doc();
      assertThat(w.at("/spec/selector/matchLabels").isObject())
          .as(c.where() + " selector.matchLabels")
          .isTrue();
      assertThat(
              KubernetesObjects.selects(
                  w.at("/spec/selector/matchLabels"), w.at("/spec/template/metadata/labels")))
          .as(c.where() + " selector matches its pods")
          .isTrue();
    }
  }

  @Test
  void theCoordinatorIsProbedOnHealthAndFoundByItsPodName() {
    for (Container c : running("coordinator")) {
      String where = c.where();
      Map<String, String> env = c.env();
      int httpPort = Integer.parseInt(CLI.valueOr(env, "WF_HTTP_PORT"));
      Map<String, Integer> ports = new TreeMap<>();
      c.node()
          .path("ports")
          .forEach(
              p ->
                  ports.put(
                      p.path("name").asText(String.valueOf(p.path("containerPort").asInt())),
                      p.path("containerPort").asInt()));
      JsonNode probe = c.node().at("/readinessProbe/httpGet");
      assertThat(probe.path("path").asText()).as(where + " readiness probe").isEqualTo("/health");
      JsonNode port = probe.path("port");
      int probed = port.isInt() ? port.asInt() : ports.getOrDefault(port.asText(), -1);
      assertThat(probed).as(where + " readiness probe port vs WF_HTTP_PORT").isEqualTo(httpPort);
      assertThat(ports.values()).as(where + " containerPort").contains(httpPort);
      // /health would answer 401 to the probe.
      assertThat(env).as(where).doesNotContainKey("WF_HTTP_TOKEN");
      // WF_HTTP_HOST from the pod's name (downward API), possibly through $(VAR) expansion.
      String host = env.get("WF_HTTP_HOST");
      assertThat(host).as(where + " WF_HTTP_HOST").isNotNull();
      Matcher m = VAR_REF.matcher(host);
      Set<String> refs = new TreeSet<>();
      while (m.find()) {
        refs.add(env.get(m.group(1)));
      }
      assertThat(host.equals("fieldRef:metadata.name") || refs.contains("fieldRef:metadata.name"))
          .as(where + " WF_HTTP_HOST comes from metadata.name: " + host)
          .isTrue();
      if (host.contains(".")) {
        String sub = host.substring(host.indexOf('.') + 1).split("\\.")[0];
        assertThat(sub)
            .as(where + " WF_HTTP_HOST names the headless Service")
            .isEqualTo(c.workload().doc().at("/spec/serviceName").asText());
      }
    }
  }

  @Test
  void theCoordinatorKeepsItsStateOnAClaimOfItsOwn() {
    for (Container c : running("coordinator")) {
      String stateDir = CLI.valueOr(c.env(), "WF_STATE_DIR");
      List<String> claims = new ArrayList<>();
      c.workload()
          .doc()
          .at("/spec/volumeClaimTemplates")
          .forEach(t -> claims.add(t.at("/metadata/name").asText()));
      assertThat(claims).as(c.where() + " volumeClaimTemplates").isNotEmpty();
      assertThat(c.node().path("volumeMounts"))
          .as(c.where() + " WF_STATE_DIR " + stateDir + " is mounted from a volumeClaimTemplate")
          .anyMatch(
              vm ->
                  vm.path("mountPath").asText().equals(stateDir)
                      && claims.contains(vm.path("name").asText()));
    }
  }

  @Test
  void agentsAreNamedAfterTheirPodAndGivenTimeToDrain() {
    DeployLint lint = new DeployLint();
    for (Container c : running("agent")) {
      String where = c.where();
      Map<String, String> env = c.env();
      assertThat(env.get("WF_AGENT_ID"))
          .as(where + " WF_AGENT_ID from the pod name")
          .isEqualTo("fieldRef:metadata.name");
      assertThat(List.of(CLI.valueOr(env, "WF_POOLS").split(",")))
          .as(where + " WF_POOLS")
          .contains("build");
      lint.assertOutlastsDrain(
          where + " terminationGracePeriodSeconds",
          Duration.ofSeconds(c.pod().path("terminationGracePeriodSeconds").asLong(30)),
          env);
      List<String> mounts = new ArrayList<>();
      c.node().path("volumeMounts").forEach(m -> mounts.add(m.path("mountPath").asText()));
      assertThat(mounts)
          .as(where + " WF_WORKDIR is a mounted volume")
          .contains(CLI.valueOr(env, "WF_WORKDIR"));
    }
  }

  private List<Container> running(String command) {
    return k8s.containers().stream().filter(c -> c.command().equals(command)).toList();
  }
}
