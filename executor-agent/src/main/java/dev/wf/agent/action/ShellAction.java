package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.Durations;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code sh -c COMMAND sh ARGS...} in its own session and process group (through {@code
 * setsid}), so that a timeout or a cancel kills everything it started: TERM to the group, then KILL
 * after a grace period.
 */
public final class ShellAction {
  static final int OUTPUT_TAIL = 4096;
  static final int ERROR_TAIL = 2048;
  private static final boolean HAS_SETSID =
      new File("/usr/bin/setsid").canExecute() || new File("/bin/setsid").canExecute();

  private final long killGraceMillis;
  private final Map<String, String> inherited;

  public ShellAction(long killGraceMillis) {
    this(killGraceMillis, StepEnvironment.of(System.getenv()));
  }

  /** With {@code inherited}, what every step starts with ({@link StepEnvironment}). */
  public ShellAction(long killGraceMillis, Map<String, String> inherited) {
    this.killGraceMillis = killGraceMillis;
    this.inherited = Map.copyOf(inherited);
  }

  public AttemptOutcome run(Action.Shell shell, AttemptContext ctx) throws InterruptedException {
    List<String> cmd = new ArrayList<>();
    if (HAS_SETSID) {
      cmd.add("setsid");
    }
    cmd.addAll(List.of("sh", "-c", shell.command(), "sh"));
    cmd.addAll(shell.args());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Path dir = ctx.workdir();
    if (shell.workdir().isPresent()) {
      dir = dir.resolve(shell.workdir().get());
    }
    if (!Files.isDirectory(dir)) {
      return AttemptOutcome.failed("workdir " + dir + " does not exist on this agent");
    }
    pb.directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.clear(); // a clean environment: the agent's own settings never reach a step
    env.putAll(inherited);
    env.putAll(shell.env());
    env.put("WF_RUN_ID", ctx.runId());
    env.put("WF_STEP_PATH", ctx.path());
    env.put("WF_ATTEMPT", Integer.toString(ctx.attempt()));
    env.put("WF_IDEMPOTENCY_KEY", ctx.idempotencyKey());
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return AttemptOutcome.failed("cannot start sh: " + e.getMessage());
    }
    Tail out = new Tail(OUTPUT_TAIL);
    Tail err = new Tail(ERROR_TAIL);
    Thread outReader = out.drain(p.getInputStream(), "stdout-" + p.pid());
    Thread errReader = err.drain(p.getErrorStream(), "stderr-" + p.pid());
    long pgid = p.pid();
    ctx.cancellation().onCancel(() -> killGroup(pgid, p));
    boolean exited = p.waitFor(ctx.timeout().toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      killGroup(pgid, p);
    }
    if (ctx.cancellation().isCancelled()) {
      killGroup(pgid, p);
    }
    outReader.join(1000);
    errReader.join(1000);
    if (ctx.cancellation().isCancelled()) {
      return AttemptOutcome.cancelled("cancelled: " + ctx.cancellation().reason());
    }
    if (!exited) {
      return AttemptOutcome.timeout(
          "timed out after " + Durations.format(ctx.timeout()) + tailNote(err.text()));
    }
    int code = p.exitValue();
    String stdout = out.text();
    if (code != 0) {
      String why = err.text().isBlank() ? lastLines(stdout) : lastLines(err.text());
      return AttemptOutcome.exited(code, "exit " + code + (why.isBlank() ? "" : ": " + why));
    }
    return AttemptOutcome.success(result(code, stdout));
  }

  /** The JSON value on the last non-empty stdout line, else {@code {exitCode, output}}. */
  static JsonNode result(int code, String stdout) {
    String last = null;
    String[] lines = stdout.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank()) {
        last = lines[i].trim();
        break;
      }
    }
    if (last != null) {
      try {
        return Json.MAPPER.readTree(last);
      } catch (IOException e) {
        // not JSON: fall through
      }
    }
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("exitCode", code);
    o.put("output", stdout);
    return o;
  }

  private static String tailNote(String stderr) {
    String t = lastLines(stderr);
    return t.isBlank() ? "" : ": " + t;
  }

  private static String lastLines(String text) {
    String t = text.strip();
    return t.length() > 500 ? "..." + t.substring(t.length() - 500) : t;
  }

  private void killGroup(long pgid, Process p) {
    signal("TERM", pgid);
    try {
      if (!p.waitFor(killGraceMillis, TimeUnit.MILLISECONDS)) {
        signal("KILL", pgid);
        p.destroyForcibly();
      } else {
        // the leader is gone; make sure nothing it started is left in the group
        signal("KILL", pgid);
      }
    } catch (InterruptedException e) {
      signal("KILL", pgid);
      Thread.currentThread().interrupt();
    }
  }

  private static void signal(String sig, long pgid) {
    try {
      Process k =
          new ProcessBuilder("kill", "-" + sig, "--", HAS_SETSID ? "-" + pgid : Long.toString(pgid))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      k.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // nothing more we can do from here
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
