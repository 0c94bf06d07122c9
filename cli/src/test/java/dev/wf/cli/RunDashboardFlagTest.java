package dev.wf.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code wf run --dashboard[=PORT]}: the port is optional, and never swallows the workflow. */
class RunDashboardFlagTest {
  private static RunCommand parse(String... args) {
    CommandLine.ParseResult r = new CommandLine(new Main()).parseArgs(args);
    return (RunCommand) r.subcommand().commandSpec().userObject();
  }

  @Test
  void shouldKeepTheFileAsTheWorkflowWhenTheFlagComesBeforeIt() {
    RunCommand c = parse("run", "--dashboard", "deploy.yaml");
    assertThat(c.dashboardPort).isEqualTo(DashboardCommand.DEFAULT_PORT);
    assertThat(c.file).hasToString("deploy.yaml");
  }

  @Test
  void shouldTakeAPortGivenWithTheFlag() {
    assertThat(parse("run", "deploy.yaml", "--dashboard=7081").dashboardPort).isEqualTo(7081);
    assertThat(parse("run", "--dashboard", "7082", "deploy.yaml").dashboardPort).isEqualTo(7082);
    assertThat(parse("run", "deploy.yaml").dashboardPort).as("off without it").isNull();
  }
}
