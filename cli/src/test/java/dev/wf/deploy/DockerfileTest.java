package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** deploy/Dockerfile, and the README that shows it and explains the kit. */
class DockerfileTest {
  private final Dockerfile dockerfile = Dockerfile.read();

  @Test
  void putsTheBuiltJarOnAJre() {
    List<String> lines = dockerfile.instructions();
    assertThat(lines).as("Dockerfile instructions").hasSize(3);
    assertThat(lines.get(0)).as("Dockerfile FROM").startsWith("FROM eclipse-temurin:17");
    assertThat(lines.get(1))
        .as("Dockerfile COPY")
        .isEqualTo("COPY cli/target/wf.jar " + dockerfile.copiedJar());
  }

  @Test
  void theReadmeShowsTheDockerfileAndCoversSecurityAndSizing() {
    String readme = DeployFiles.read(DeployFiles.resolve("README.md"));
    assertThat(readme)
        .as("the README shows the Dockerfile")
        .contains(dockerfile.instructions().toArray(String[]::new));
    assertThat(readme).as("README.md sections").contains("## Security", "standby", "partitions");
  }
}
