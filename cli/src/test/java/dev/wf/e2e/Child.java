package dev.wf.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A {@code wf} command in a JVM of its own, as an operator would start it on a host. */
final class Child implements AutoCloseable {
  private final Process process;
  private final Path log;

  private Child(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static Child start(Path log, String... args) throws IOException {
    return startIn(null, log, args);
  }

  /** Starts the command inside network namespace {@code netns} (null: this host's network). */
  static Child startIn(String netns, Path log, String... args) throws IOException {
    return startIn(netns, log, java.util.Map.of(), args);
  }

  /** The same with {@code env} added to the process's environment. */
  static Child startIn(String netns, Path log, java.util.Map<String, String> env, String... args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    if (netns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", netns));
    }
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.wf.cli.Main");
    cmd.addAll(List.of(args));
    Files.createDirectories(log.getParent());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p =
        pb.redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(new File("/dev/null"))
            .start();
    return new Child(p, log);
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  /** SIGKILL: no goodbye, no cleanup. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the graceful stop. */
  void term() {
    process.destroy();
  }

  /** Waits for the process to exit; its exit code, or -1 when it did not in time. */
  int waitFor(java.time.Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        ? process.exitValue()
        : -1;
  }

  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
