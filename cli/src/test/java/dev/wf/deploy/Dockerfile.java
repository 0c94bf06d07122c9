package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * deploy/Dockerfile, whose jar path the Kubernetes manifests run.
 *
 * @param text the file
 */
record Dockerfile(String text) {
  private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+\\S+\\s+(\\S+)\\s*$");

  static Dockerfile read() {
    return new Dockerfile(DeployFiles.read(DeployFiles.resolve("Dockerfile")));
  }

  /** Its lines without blanks and comments. */
  List<String> instructions() {
    return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
  }

  /** Where the image has the jar. */
  String copiedJar() {
    Matcher m = COPY.matcher(text);
    assertThat(m.find()).as("a COPY of the jar in the Dockerfile").isTrue();
    return m.group(1);
  }
}
