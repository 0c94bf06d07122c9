package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/systemd: the three units and the env files shipped as examples of what they read. Only
 * parsed: no unit is started.
 */
class SystemdUnitsTest {
  private static final Path DIR = DeployFiles.resolve("systemd");

  /** The variable naming the folder each command writes to. */
  private static final Map<String, String> STATE_VAR =
      Map.of("broker", "WF_DATA_DIR", "coordinator", "WF_STATE_DIR", "agent", "WF_WORKDIR");

  /** A unit and the wf command it runs. */
  private record Unit(UnitFile file, String command) {
    String name() {
      return file.name();
    }

    /** The env file it reads, /etc/wf/<x>.env, with %i for a template's instance. */
    String envFile() {
      String f = file.one("EnvironmentFile").replaceFirst("^-", "");
      assertThat(f).as(name()).startsWith("/etc/wf/").endsWith(".env");
      return f;
    }

    /** The examples of its env file in env/: one per instance for a template. */
    List<Example> examples() {
      String base = envFile().substring("/etc/wf/".length());
      Pattern shipped =
          Pattern.compile(Pattern.quote(base).replace("%i", "\\E([A-Za-z0-9_.-]+)\\Q"));
      List<Example> out = new ArrayList<>();
      for (Path p : DeployFiles.list(DIR.resolve("env"))) {
        Matcher m = shipped.matcher(p.getFileName().toString());
        if (m.matches()) {
          String instance = m.groupCount() > 0 ? m.group(1) : "";
          out.add(new Example(p, instance, EnvFile.parse(DeployFiles.read(p))));
        }
      }
      return out;
    }

    /** The folder systemd creates for an instance (StateDirectory= is under /var/lib). */
    String stateDirectory(String instance) {
      return "/var/lib/" + file.one("StateDirectory").replace("%i", instance);
    }
  }

  private record Example(Path file, String instance, Map<String, String> vars) {
    String where() {
      return DeployFiles.rel(file);
    }
  }

  private static List<Unit> units() {
    return List.of(
        unit("wf-broker.service", "broker"),
        unit("wf-coordinator.service", "coordinator"),
        unit("wf-agent@.service", "agent"));
  }

  private static Unit unit(String name, String command) {
    return new Unit(UnitFile.read(DIR.resolve(name)), command);
  }

  /** Each process its own user (SECURITY.md): a step, run as an agent's, reaches no other's. */
  private static final Map<String, String> USER =
      Map.of("broker", "wf-broker", "coordinator", "wf-coordinator", "agent", "wf-agent-%i");

  @Test
  void everyUnitRunsTheJarAsItsOwnUserAndStopsItWithSigterm() {
    for (Unit unit : units()) {
      UnitFile u = unit.file();
      String user = USER.get(unit.command());
      Map<String, String> settings =
          Map.of("User", user, "Group", user, "Restart", "on-failure", "KillSignal", "SIGTERM");
      assertThat(u.one("ExecStart"))
          .as(unit.name())
          .isEqualTo("/usr/bin/java -jar /opt/wf/wf.jar " + unit.command());
      settings.forEach(
          (key, value) -> assertThat(u.one(key)).as(unit.name() + " " + key).isEqualTo(value));
      assertThat(u.all("SuccessExitStatus"))
          .as(unit.name() + ": the JVM exits 143 after SIGTERM")
          .anyMatch(s -> s.contains("143"));
      assertThat(u.keys())
          .as(unit.name())
          .containsKeys("StateDirectory", "TimeoutStopSec", "WantedBy");
    }
  }

  @Test
  void everyUnitReadsAnEnvFileShippedAsAnExample() {
    for (Unit unit : units()) {
      assertThat(unit.examples())
          .as(unit.name() + " reads " + unit.envFile() + ": an example must be in env/")
          .isNotEmpty();
    }
  }

  @Test
  void everyEnvFileSetsOnlyWhatItsCommandReads() {
    DeployLint lint = new DeployLint();
    for (Unit unit : units()) {
      for (Example env : unit.examples()) {
        lint.assignments(env.where(), unit.command(), env.vars());
        if (!unit.command().equals("broker")) {
          assertThat(env.vars()).as(env.where() + " sets WF_BOOTSTRAP").containsKey("WF_BOOTSTRAP");
        }
      }
    }
    lint.assertNoProblems();
  }

  @Test
  void everyCommandWritesToTheFolderSystemdCreatesForIt() {
    for (Unit unit : units()) {
      String stateVar = STATE_VAR.get(unit.command());
      for (Example env : unit.examples()) {
        String stateDir = unit.stateDirectory(env.instance());
        assertThat(env.vars().get(stateVar))
            .as(env.where() + " " + stateVar + " vs StateDirectory")
            .isEqualTo(stateDir);
        if (unit.file().has("WorkingDirectory")) {
          assertThat(
                  unit.file()
                      .one("WorkingDirectory")
                      .replace("%i", env.instance())
                      .replace("%S", "/var/lib"))
              .as(unit.name())
              .isEqualTo(stateDir);
        }
      }
    }
  }

  @Test
  void theAgentIsGivenTimeToDrainAndOnlyTheJvmIsSignalled() {
    Unit agent = unit("wf-agent@.service", "agent");
    DeployLint lint = new DeployLint();
    for (Example env : agent.examples()) {
      lint.assertOutlastsDrain(
          agent.name() + " TimeoutStopSec with " + env.where(),
          agent.file().timeSpan("TimeoutStopSec"),
          env.vars());
    }
    assertThat(agent.file().one("KillMode"))
        .as("SIGTERM to the JVM only: it kills its actions' process groups")
        .isEqualTo("mixed");
    assertThat(agent.file().one("EnvironmentFile")).as(agent.name()).contains("%i");
  }

  @Test
  void everyShippedEnvFileBelongsToAUnit() {
    // No orphan with a misspelled name that no unit would ever read.
    assertThat(DeployFiles.list(DIR.resolve("env")))
        .extracting(p -> p.getFileName().toString())
        .allMatch(
            n ->
                n.equals("broker.env")
                    || n.equals("coordinator.env")
                    || n.matches("agent-[A-Za-z0-9_.-]+\\.env"));
  }
}
