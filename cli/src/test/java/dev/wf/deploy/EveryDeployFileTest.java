package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What holds for every file of the kit, whatever its kind (README included). */
class EveryDeployFileTest {

  @Test
  void everyWfVariableNamedAnywhereIsOneTheCliReads() {
    DeployLint lint = new DeployLint();
    for (Path f : DeployFiles.all()) {
      lint.variables(DeployFiles.rel(f), DeployFiles.read(f));
    }
    lint.assertNoProblems();
  }

  @Test
  void everyCommandLineUsesExistingSubcommandsAndFlags() {
    DeployLint lint = new DeployLint();
    int found = 0;
    for (Path f : DeployFiles.all()) {
      String text = DeployFiles.read(f);
      List<String> lines =
          f.getFileName().toString().endsWith(".md")
              ? CommandLines.markdownCode(text)
              : CommandLines.logical(text);
      found += lint.commandLines(DeployFiles.rel(f), lines);
    }
    lint.assertNoProblems();
    assertThat(found).as("command lines found in deploy/").isGreaterThan(10);
  }

  @Test
  void everyYamlFileParsesIntoObjects() {
    List<Path> yamls = DeployFiles.all().stream().filter(DeployFiles::isYaml).toList();
    assertThat(yamls)
        .extracting(DeployFiles::rel)
        .contains("docker-compose.yml", "kubernetes/kustomization.yaml");
    for (Path f : yamls) {
      assertThat(YamlDocs.read(f))
          .as(DeployFiles.rel(f))
          .isNotEmpty()
          .allSatisfy(d -> assertThat(d.isObject()).isTrue());
    }
  }
}
