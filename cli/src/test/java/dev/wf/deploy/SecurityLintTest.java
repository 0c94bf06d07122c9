package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.deploy.KubernetesObjects.KubeObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The security checks catch what they are for: each test breaks a copy of the kit's own files in
 * one way and expects the check to name it (the kit itself passes, {@link DeploySecurityTest}).
 */
class SecurityLintTest {

  // ---------------------------------------------------------------- every file

  @Test
  void catchesInsecureAndTheSharedSecret() {
    assertThat(
            SecurityLint.text(
                "unit", "ExecStart=/usr/bin/java -jar /opt/wf/wf.jar agent --insecure", false))
        .anyMatch(p -> p.contains("passes --insecure"));
    assertThat(SecurityLint.text("env", "#WF_SIGNING_KEYS=k1=secret", false))
        .anyMatch(p -> p.contains("WF_SIGNING_KEYS"));
    assertThat(SecurityLint.text("yaml", "args: [\"--allow-link-local\"]", false))
        .anyMatch(p -> p.contains("contains --allow-link-local"));
    assertThat(
            SecurityLint.text("md", "```sh\njava -jar wf.jar coordinator --insecure\n```\n", true))
        .anyMatch(p -> p.contains("passes --insecure"));
    // Prose may name the option, as the README does to say no file passes it.
    assertThat(SecurityLint.text("md", "no file passes `--insecure`, for a laptop\n", true))
        .isEmpty();
  }

  // ---------------------------------------------------------------- compose

  @Test
  void catchesComposeServicesRunningAsRoot() {
    assertThat(compose(s -> obj(s, "grafana").remove("user")))
        .anyMatch(p -> p.contains("grafana: no user:"));
    assertThat(compose(s -> obj(s, "coordinator").put("user", "0:0")))
        .anyMatch(p -> p.contains("coordinator: runs as root"));
    assertThat(compose(s -> obj(s, "kafka").put("user", "root")))
        .anyMatch(p -> p.contains("kafka: runs as root"));
    // The chown one-shot is let off only while fenced: no network, no capability but CHOWN.
    assertThat(compose(s -> obj(s, "volume-owner").put("network_mode", "bridge")))
        .anyMatch(p -> p.contains("volume-owner: runs as root"));
    assertThat(compose(s -> ((ArrayNode) obj(s, "volume-owner").get("cap_add")).add("SYS_ADMIN")))
        .anyMatch(p -> p.contains("volume-owner: runs as root"));
    assertThat(compose(s -> obj(s, "agent-build").remove("cap_drop")))
        .anyMatch(p -> p.contains("agent-build: keeps its capabilities"));
    assertThat(compose(s -> obj(s, "coordinator").remove("security_opt")))
        .anyMatch(p -> p.contains("coordinator: may gain privileges"));
  }

  @Test
  void catchesComposePortsBeyondLocalhost() {
    assertThat(compose(s -> obj(s, "kafka").putArray("ports").add("9092:9092")))
        .anyMatch(p -> p.contains("kafka: port") && p.contains("beyond 127.0.0.1"));
    assertThat(compose(s -> obj(s, "grafana").putArray("ports").add("0.0.0.0:3000:3000")))
        .anyMatch(p -> p.contains("grafana: port"));
    assertThat(
            compose(
                s ->
                    obj(s, "coordinator")
                        .putArray("ports")
                        .addObject()
                        .put("target", 7070)
                        .put("published", 7070)
                        .put("host_ip", "0.0.0.0")))
        .anyMatch(p -> p.contains("coordinator: port"));
  }

  @Test
  void catchesComposeKeysMissingWritableOrSharedWithAgents() {
    assertThat(compose(s -> env(s, "coordinator").remove("WF_SIGNING_KEY")))
        .anyMatch(p -> p.contains("coordinator: wf coordinator without WF_SIGNING_KEY"));
    assertThat(compose(s -> env(s, "coordinator").remove("WF_TRUST")))
        .anyMatch(p -> p.contains("without WF_TRUST"));
    assertThat(compose(s -> env(s, "agent-deploy").remove("WF_COORDINATOR_KEY")))
        .anyMatch(p -> p.contains("agent-deploy: wf agent without WF_COORDINATOR_KEY"));
    assertThat(compose(s -> env(s, "agent-build").remove("WF_AGENT_KEY")))
        .anyMatch(p -> p.contains("agent-build: wf agent without WF_AGENT_KEY"));
    assertThat(compose(s -> replaceVolume(s, "coordinator", "coordinator-keys:/etc/wf/keys")))
        .anyMatch(p -> p.contains("coordinator: WF_SIGNING_KEY") && p.contains("writable"));
    assertThat(
            compose(
                s ->
                    ((ArrayNode) obj(s, "agent-build").get("volumes"))
                        .add("coordinator-keys:/etc/wf/coordinator:ro")))
        .anyMatch(p -> p.contains("agent-build: mounts coordinator-keys"));
    assertThat(compose(s -> ((ObjectNode) obj(s, "agent-deploy").get("depends_on")).remove("keys")))
        .anyMatch(p -> p.contains("agent-deploy: does not wait for keys"));
    assertThat(compose(s -> obj(s, "keys").remove("command")))
        .anyMatch(p -> p.contains("no service runs wf keygen"));
  }

  @Test
  void catchesComposeAgentsWhoseKeyIsNotMadeOrNotTrusted() {
    assertThat(compose(s -> env(s, "agent-build").put("WF_AGENT_KEY", "/etc/wf/keys/other.key")))
        .anyMatch(p -> p.contains("makes no key other"))
        .anyMatch(p -> p.contains("no agent other in the trust file"));
    assertThat(compose(s -> env(s, "agent-build").put("WF_POOLS", "build,default,deploy")))
        .anyMatch(p -> p.contains("does not let agent-build-1 use the pool deploy"));
    assertThat(compose(s -> env(s, "agent-deploy").put("WF_AGENT_ID", "agent-deploy-2")))
        .anyMatch(p -> p.contains("may not speak for the agent id agent-deploy-2"));
  }

  @Test
  void catchesGrafanaWithItsDefaultAdmin() {
    assertThat(compose(s -> env(s, "grafana").remove("GF_SECURITY_ADMIN_PASSWORD")))
        .anyMatch(p -> p.contains("grafana: GF_SECURITY_ADMIN_PASSWORD"));
    assertThat(compose(s -> env(s, "grafana").put("GF_SECURITY_ADMIN_PASSWORD", "admin")))
        .anyMatch(p -> p.contains("grafana: GF_SECURITY_ADMIN_PASSWORD"));
    assertThat(
            compose(
                s ->
                    env(s, "grafana")
                        .put("GF_SECURITY_ADMIN_PASSWORD", "${GRAFANA_ADMIN_PASSWORD:-admin}")))
        .anyMatch(p -> p.contains("grafana: GF_SECURITY_ADMIN_PASSWORD"));
    assertThat(compose(s -> env(s, "grafana").put("GF_AUTH_ANONYMOUS_ENABLED", "true")))
        .anyMatch(p -> p.contains("grafana: lets anonymous users in"));
  }

  // ---------------------------------------------------------------- Kubernetes

  @Test
  void catchesOptionalSecretsAndExposedServices() {
    assertThat(k8s(o -> keysVolume(o, "Deployment").put("optional", true)))
        .anyMatch(p -> p.contains("/optional is true"));
    assertThat(k8s(o -> ((ObjectNode) doc(o, "Service").get("spec")).put("type", "LoadBalancer")))
        .anyMatch(p -> p.contains("type LoadBalancer exposes it"));
    assertThat(k8s(o -> ((ObjectNode) doc(o, "Service").get("spec")).put("type", "NodePort")))
        .anyMatch(p -> p.contains("type NodePort exposes it"));
    assertThat(k8s(o -> pod(o, "StatefulSet").put("hostNetwork", true)))
        .anyMatch(p -> p.contains("hostNetwork"));
    assertThat(k8s(o -> pod(o, "Deployment").remove("automountServiceAccountToken")))
        .anyMatch(p -> p.contains("service account token"));
  }

  @Test
  void catchesPodsThatMayRunAsRootOrEscalate() {
    assertThat(k8s(o -> podSecurity(o, "Deployment").remove("runAsNonRoot")))
        .anyMatch(p -> p.contains("container agent: runAsNonRoot is not true"));
    assertThat(k8s(o -> podSecurity(o, "StatefulSet").put("runAsUser", 0)))
        .anyMatch(p -> p.contains("container coordinator: runAsUser is not a non-root uid"));
    assertThat(k8s(o -> containerSecurity(o, "Deployment").put("runAsNonRoot", false)))
        .anyMatch(p -> p.contains("container agent: runAsNonRoot is not true"));
    assertThat(k8s(o -> containerSecurity(o, "Deployment").put("allowPrivilegeEscalation", true)))
        .anyMatch(p -> p.contains("allowPrivilegeEscalation is not false"));
    assertThat(k8s(o -> containerSecurity(o, "StatefulSet").remove("readOnlyRootFilesystem")))
        .anyMatch(p -> p.contains("readOnlyRootFilesystem is not true"));
    assertThat(k8s(o -> containerSecurity(o, "Deployment").remove("capabilities")))
        .anyMatch(p -> p.contains("does not drop ALL capabilities"));
    assertThat(
            k8s(
                o ->
                    ((ObjectNode) container(o, "Deployment").get("ports").get(0))
                        .put("hostPort", 9464)))
        .anyMatch(p -> p.contains("hostPort 9464"));
  }

  @Test
  void catchesPodsWithoutTheirKeysOrWithTheCoordinatorsKey() {
    assertThat(k8s(o -> removeEnv(container(o, "Deployment"), "WF_AGENT_KEY")))
        .anyMatch(p -> p.contains("wf agent without WF_AGENT_KEY"));
    assertThat(k8s(o -> removeEnv(container(o, "StatefulSet"), "WF_TRUST")))
        .anyMatch(p -> p.contains("wf coordinator without WF_TRUST"));
    // The old way: the key from a secretKeyRef in the environment, not a file.
    assertThat(
            k8s(
                o -> {
                  ObjectNode c = container(o, "StatefulSet");
                  removeEnv(c, "WF_SIGNING_KEY");
                  ((ArrayNode) c.get("env"))
                      .addObject()
                      .put("name", "WF_SIGNING_KEY")
                      .putObject("valueFrom")
                      .putObject("secretKeyRef")
                      .put("name", "wf-signing")
                      .put("key", "WF_SIGNING_KEY");
                }))
        .anyMatch(p -> p.contains("wf coordinator without WF_SIGNING_KEY (a file)"));
    assertThat(
            k8s(
                o -> {
                  for (JsonNode v : pod(o, "Deployment").get("volumes")) {
                    if (v.has("secret")) {
                      ((ObjectNode) v).remove("secret");
                      ((ObjectNode) v).putObject("emptyDir");
                    }
                  }
                }))
        .anyMatch(p -> p.contains("WF_AGENT_KEY") && p.contains("is not from a Secret"));
    assertThat(k8s(o -> keysVolume(o, "Deployment").put("secretName", "wf-coordinator")))
        .anyMatch(
            p -> p.contains("mounts [wf-coordinator], the coordinator's private key's Secret"));
    assertThat(
            k8s(
                o -> {
                  for (JsonNode m : container(o, "StatefulSet").get("volumeMounts")) {
                    if (m.path("name").asText().equals("keys")) {
                      ((ObjectNode) m).put("readOnly", false);
                    }
                  }
                }))
        .anyMatch(p -> p.contains("WF_SIGNING_KEY") && p.contains("writable mount"));
  }

  // ---------------------------------------------------------------- systemd

  @Test
  void catchesSharedOrRootUsersAndMissingFences() {
    assertThat(systemd("agent", "User=wf-agent-%i", "User=wf-coordinator", null))
        .anyMatch(p -> p.contains("shares its user wf-coordinator"));
    assertThat(systemd("coordinator", "User=wf-coordinator", "User=wf-broker", null))
        .anyMatch(p -> p.contains("shares its user wf-broker"));
    assertThat(systemd("broker", "User=wf-broker", "User=root", null))
        .anyMatch(p -> p.contains("wf-broker.service: runs as root"));
    assertThat(systemd("coordinator", "User=wf-coordinator\n", "", null))
        .anyMatch(p -> p.contains("wf-coordinator.service: runs as root (User=)"));
    assertThat(systemd("coordinator", "IPAddressDeny=any", "", null))
        .anyMatch(p -> p.contains("wf-coordinator.service: not fenced to localhost"));
    assertThat(systemd("broker", "IPAddressAllow=localhost", "IPAddressAllow=any", null))
        .anyMatch(p -> p.contains("wf-broker.service: not fenced to localhost"));
    assertThat(systemd("agent", "InaccessiblePaths=", "#InaccessiblePaths=", null))
        .anyMatch(p -> p.contains("does not hide /etc/wf/keys/coordinator.key"));
  }

  @Test
  void catchesEnvFilesWithoutKeysAndUntrustedAgents() {
    assertThat(systemdEnv("broker", e -> e.put("WF_BROKER_HOST", "0.0.0.0")))
        .anyMatch(p -> p.contains("WF_BROKER_HOST=0.0.0.0 listens beyond localhost"));
    assertThat(systemdEnv("coordinator", e -> e.remove("WF_TRUST")))
        .anyMatch(p -> p.contains("coordinator env: no WF_TRUST"));
    assertThat(systemdEnv("coordinator", e -> e.remove("WF_SIGNING_KEY")))
        .anyMatch(p -> p.contains("coordinator env: no WF_SIGNING_KEY"));
    assertThat(systemdEnv("agent", e -> e.remove("WF_COORDINATOR_KEY")))
        .anyMatch(p -> p.contains("no WF_COORDINATOR_KEY"));
    assertThat(systemdEnv("agent", e -> e.put("WF_AGENT_KEY", "/etc/wf/keys/coordinator.key")))
        .anyMatch(p -> p.contains("WF_AGENT_KEY is the coordinator's private key"));
    assertThat(systemdEnv("agent", e -> e.put("WF_POOLS", "build,deploy")))
        .anyMatch(p -> p.contains("does not let build-1 use the pool deploy"));
    assertThat(systemdEnv("agent", e -> e.put("WF_AGENT_ID", "build-2")))
        .anyMatch(p -> p.contains("may not speak for the agent id build-2"));
    assertThat(
            SecurityLint.systemd(
                DeploySecurityTest.units(),
                DeploySecurityTest.envs(),
                DeploySecurityTest.trustYaml().replace("build-1: {", "build-one: {")))
        .anyMatch(p -> p.contains("no agent build-1 in the trust file"));
    assertThat(
            SecurityLint.systemd(
                DeploySecurityTest.units(), DeploySecurityTest.envs(), "agents: [broken"))
        .anyMatch(p -> p.contains("the trust file does not parse"));
  }

  // ---------------------------------------------------------------- helpers

  private static List<String> compose(Consumer<ObjectNode> change) {
    ObjectNode services = (ObjectNode) DeploySecurityTest.composeServices().deepCopy();
    assertThat(SecurityLint.compose(services)).as("the unbroken copy").isEmpty();
    change.accept(services);
    return SecurityLint.compose(services);
  }

  private static ObjectNode obj(ObjectNode services, String name) {
    assertThat(services.has(name)).as("compose service " + name).isTrue();
    return (ObjectNode) services.get(name);
  }

  private static ObjectNode env(ObjectNode services, String name) {
    return (ObjectNode) obj(services, name).get("environment");
  }

  private static void replaceVolume(ObjectNode services, String name, String mount) {
    ArrayNode volumes = (ArrayNode) obj(services, name).get("volumes");
    for (int i = 0; i < volumes.size(); i++) {
      if (volumes.get(i).asText().startsWith(mount.split(":")[0] + ":")) {
        volumes.set(i, mount);
      }
    }
  }

  private static List<String> k8s(Consumer<List<KubeObject>> change) {
    KubernetesObjects kit = KubernetesObjects.read();
    List<KubeObject> copy = new ArrayList<>();
    kit.objects().forEach(o -> copy.add(new KubeObject(o.file(), o.doc().deepCopy())));
    change.accept(copy);
    return SecurityLint.kubernetes(KubernetesObjects.of(kit.kustomization(), copy));
  }

  private static ObjectNode doc(List<KubeObject> objects, String kind) {
    return (ObjectNode)
        objects.stream().filter(o -> o.kind().equals(kind)).findFirst().orElseThrow().doc();
  }

  private static ObjectNode pod(List<KubeObject> objects, String kind) {
    return (ObjectNode) doc(objects, kind).at("/spec/template/spec");
  }

  private static ObjectNode podSecurity(List<KubeObject> objects, String kind) {
    return (ObjectNode) pod(objects, kind).get("securityContext");
  }

  private static ObjectNode container(List<KubeObject> objects, String kind) {
    return (ObjectNode) pod(objects, kind).get("containers").get(0);
  }

  private static ObjectNode containerSecurity(List<KubeObject> objects, String kind) {
    return (ObjectNode) container(objects, kind).get("securityContext");
  }

  private static ObjectNode keysVolume(List<KubeObject> objects, String kind) {
    for (JsonNode v : pod(objects, kind).get("volumes")) {
      if (v.has("secret")) {
        return (ObjectNode) v.get("secret");
      }
    }
    throw new AssertionError("no Secret volume in the " + kind);
  }

  private static void removeEnv(ObjectNode container, String name) {
    ArrayNode env = (ArrayNode) container.get("env");
    for (int i = env.size() - 1; i >= 0; i--) {
      if (env.get(i).path("name").asText().equals(name)) {
        env.remove(i);
      }
    }
  }

  /** The kit's systemd files with one unit's text changed ({@code from} to {@code to}). */
  private static List<String> systemd(String command, String from, String to, String unused) {
    Map<String, UnitFile> units = new LinkedHashMap<>(DeploySecurityTest.units());
    assertThat(
            SecurityLint.systemd(units, DeploySecurityTest.envs(), DeploySecurityTest.trustYaml()))
        .as("the unbroken copy")
        .isEmpty();
    Path f = DeployFiles.resolve("systemd").resolve(units.get(command).name());
    String text = DeployFiles.read(f);
    assertThat(text).as(f.toString()).contains(from);
    units.put(command, UnitFile.parse(units.get(command).name(), text.replace(from, to)));
    return SecurityLint.systemd(units, DeploySecurityTest.envs(), DeploySecurityTest.trustYaml());
  }

  /** The kit's systemd files with one command's first env file changed. */
  private static List<String> systemdEnv(String command, Consumer<Map<String, String>> change) {
    Map<String, List<Map<String, String>>> envs = new LinkedHashMap<>();
    DeploySecurityTest.envs()
        .forEach(
            (c, list) -> {
              List<Map<String, String>> copy = new ArrayList<>();
              list.forEach(e -> copy.add(new LinkedHashMap<>(e)));
              envs.put(c, copy);
            });
    change.accept(envs.get(command).get(0));
    return SecurityLint.systemd(DeploySecurityTest.units(), envs, DeploySecurityTest.trustYaml());
  }
}
