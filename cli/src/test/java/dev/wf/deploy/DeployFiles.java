package dev.wf.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the deploy kit is, and its files read as text. */
final class DeployFiles {
  static final Path DIR = locate();
  static final Path REPO = DIR.getParent();

  private DeployFiles() {}

  static Path resolve(String relative) {
    return DIR.resolve(relative);
  }

  /** Every file of the kit, sorted; its pom and build output are no part of it. */
  static List<Path> all() {
    try (Stream<Path> files = Files.walk(DIR)) {
      return files
          .filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().equals("pom.xml"))
          .filter(f -> !DIR.relativize(f).startsWith("target"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The files directly in {@code dir}, sorted. */
  static List<Path> list(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The name a message gives a file: its path inside deploy/. */
  static String rel(Path f) {
    return DIR.relativize(f).toString();
  }

  static boolean isYaml(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".yaml") || n.endsWith(".yml");
  }

  private static Path locate() {
    // Surefire runs in the module (../deploy); an IDE may run in the repository root (deploy).
    for (String candidate : List.of("../deploy", "deploy")) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isDirectory(p.resolve("systemd")) && Files.isDirectory(p.resolve("kubernetes"))) {
        return p;
      }
    }
    throw new AssertionError(
        "no deploy/ next to the cli module (../deploy) or in the working folder (deploy)");
  }
}
