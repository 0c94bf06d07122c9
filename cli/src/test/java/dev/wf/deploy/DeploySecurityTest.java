package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The kit against what a security reviewer asks (SECURITY.md): every coordinator and agent has its
 * keys, nothing runs --insecure or as root, ports stay on localhost, Secrets are mandatory. The
 * checks themselves are proven on broken copies in {@link SecurityLintTest}.
 */
class DeploySecurityTest {

  @Test
  void noFileNamesTheSharedSecretOrPassesInsecure() {
    List<String> problems = new ArrayList<>();
    for (Path f : DeployFiles.all()) {
      problems.addAll(
          SecurityLint.text(
              DeployFiles.rel(f), DeployFiles.read(f), f.getFileName().toString().endsWith(".md")));
    }
    assertThat(problems).as("what is insecure in deploy/").isEmpty();
  }

  @Test
  void composeRunsEveryServiceAsNonRootOnLocalhostWithItsKeys() {
    assertThat(SecurityLint.compose(composeServices())).as("docker-compose.yml").isEmpty();
  }

  @Test
  void kubernetesPodsRunAsNonRootWithKeysFromMandatorySecrets() {
    assertThat(SecurityLint.kubernetes(KubernetesObjects.read())).as("kubernetes/").isEmpty();
  }

  @Test
  void systemdRunsBrokerCoordinatorAndAgentsAsUsersOfTheirOwnWithTheirKeys() {
    assertThat(SecurityLint.systemd(units(), envs(), trustYaml())).as("systemd/").isEmpty();
  }

  static JsonNode composeServices() {
    return YamlDocs.read(DeployFiles.resolve("docker-compose.yml")).get(0).path("services");
  }

  static Map<String, UnitFile> units() {
    Path dir = DeployFiles.resolve("systemd");
    Map<String, UnitFile> out = new LinkedHashMap<>();
    out.put("broker", UnitFile.read(dir.resolve("wf-broker.service")));
    out.put("coordinator", UnitFile.read(dir.resolve("wf-coordinator.service")));
    out.put("agent", UnitFile.read(dir.resolve("wf-agent@.service")));
    return out;
  }

  static Map<String, List<Map<String, String>>> envs() {
    Map<String, List<Map<String, String>>> out = new LinkedHashMap<>();
    for (Path p : DeployFiles.list(DeployFiles.resolve("systemd/env"))) {
      String n = p.getFileName().toString();
      String command = n.startsWith("agent-") ? "agent" : n.replaceFirst("\\.env$", "");
      out.computeIfAbsent(command, c -> new ArrayList<>()).add(EnvFile.parse(DeployFiles.read(p)));
    }
    assertThat(out).as("systemd/env").containsKeys("broker", "coordinator", "agent");
    return out;
  }

  /** The trust file the coordinator's env file names, shipped beside the units. */
  static String trustYaml() {
    // Without WF_TRUST (SecurityLint says so), the example is still checked.
    String named = envs().get("coordinator").get(0).getOrDefault("WF_TRUST", "trust.yaml");
    Path shipped = DeployFiles.resolve("systemd").resolve(Path.of(named).getFileName());
    assertThat(shipped).as("an example of " + named + " in systemd/").exists();
    return DeployFiles.read(shipped);
  }
}
