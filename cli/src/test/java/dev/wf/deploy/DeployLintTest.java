package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checkers themselves: a kit that passes them is right only if they catch mistakes. */
class DeployLintTest {

  @Test
  void catchesRenamedCommandsFlagsAndVariables() {
    DeployLint lint = new DeployLint();
    lint.commandLines("sample", List.of("java -jar /opt/wf/wf.jar coordinatr"));
    lint.commandLines("sample", List.of("java -jar wf.jar agent --pools build"));
    lint.commandLines("sample", List.of("wf submit --wiat x.yaml"));
    lint.variables("sample", "WF_POOL=build");
    lint.assignments("sample", "agent", Map.of("WF_STATE_DIR", "/x"));
    lint.assignments("sample", "coordinator", Map.of("WF_HTTP_PORT", "http"));
    assertThat(lint.problems()).hasSize(6);
  }

  @Test
  void acceptsExistingCommandsFlagsAndVariables() {
    DeployLint lint = new DeployLint();
    lint.commandLines(
        "sample",
        List.of("java -jar /opt/wf/wf.jar agent --pool build --id a1 --drain-timeout=30s"));
    lint.commandLines(
        "sample", List.of("cp cli/target/wf.jar /opt/wf/wf.jar && wf agents --json | head"));
    lint.assignments(
        "sample", "agent", Map.of("WF_POOLS", "build,deploy", "WF_DRAIN_TIMEOUT", "30s"));
    assertThat(lint.problems()).isEmpty();
  }
}
