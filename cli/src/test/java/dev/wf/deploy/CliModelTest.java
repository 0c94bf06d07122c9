package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CLI model the deploy checks rely on, and what the build does with the CLI's variables. */
class CliModelTest {
  private static final CliModel CLI = CliModel.WF;

  @Test
  void everyVariableTheCliReadsIsKeptAwayFromTheTests() throws Exception {
    String pom = Files.readString(DeployFiles.REPO.resolve("pom.xml"));
    Matcher m =
        Pattern.compile("<excludedEnvironmentVariables>([^<]*)</excludedEnvironmentVariables>")
            .matcher(pom);
    assertThat(m.find()).as("surefire's excludedEnvironmentVariables in the parent pom").isTrue();
    Set<String> excluded = new TreeSet<>(List.of(m.group(1).trim().split("\\s*,\\s*")));
    assertThat(excluded)
        .as("a WF_* variable exported for real use must not reach the tests")
        .containsAll(CLI.allEnv());
  }

  @Test
  void theModelHoldsTheCommandsFlagsAndVariablesTheKitUses() {
    // If these fail, the checks read the CLI wrongly, not the deploy files.
    assertThat(CLI.flags())
        .containsKeys(
            "coordinator", "agent", "broker", "submit", "watch", "status", "agents", "cancel");
    assertThat(CLI.envOf("agent"))
        .contains(
            "WF_AGENT_ID",
            "WF_POOLS",
            "WF_ALLOW_KINDS",
            "WF_BOOTSTRAP",
            "WF_KAFKA_CONFIG",
            "WF_DRAIN_TIMEOUT",
            "WF_AGENT_METRICS_PORT",
            "WF_AGENT_METRICS_BIND",
            "WF_COORDINATOR_KEY",
            "WF_AGENT_KEY",
            "WF_WORKDIR_ROOT");
    assertThat(CLI.envOf("coordinator"))
        .contains(
            "WF_STATE_DIR",
            "WF_HTTP_PORT",
            "WF_HTTP_HOST",
            "WF_HTTP_TOKEN",
            "WF_BOOTSTRAP",
            "WF_SIGNING_KEY",
            "WF_TRUST",
            "WF_ALLOWED_POOLS",
            "WF_MAX_INTAKE_AGE");
    assertThat(CLI.allEnv())
        .as("the shared-secret signing is gone")
        .doesNotContain("WF_SIGNING_KEYS");
    assertThat(CLI.flags().get("keygen")).contains("--dir");
    assertThat(CLI.envOf("broker")).contains("WF_DATA_DIR", "WF_BROKER_PORT", "WF_BROKER_HOST");
    assertThat(CLI.flags().get("agent"))
        .contains(
            "--pool",
            "--id",
            "--drain-timeout",
            "--bootstrap",
            "--kafka-config",
            "--metrics-port",
            "--metrics-bind");
    assertThat(CLI.flags().get("watch")).contains("--tree", "--plain");
    assertThat(CLI.flags().get("run")).contains("--tree", "--plain");
    assertThat(CLI.defaults())
        .containsEntry("WF_DRAIN_TIMEOUT", "30s")
        .containsKey("WF_HTTP_PORT")
        .containsEntry("WF_AGENT_METRICS_PORT", "0")
        .containsEntry("WF_AGENT_METRICS_BIND", "127.0.0.1");
  }
}
