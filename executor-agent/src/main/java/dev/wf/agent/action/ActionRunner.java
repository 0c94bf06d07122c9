package dev.wf.agent.action;

import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.Durations;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Runs one attempt of any action kind: the built-ins and the plug-ins found on the class path. An
 * agent may allow only some kinds; others fail on the agent's side with a clear error.
 */
public final class ActionRunner {
  private static final Set<String> BUILT_IN = Set.of("shell", "http", "noop", "sleep");

  private final ShellAction shell;
  private final HttpAction http;
  private final Map<String, ActionPlugin> plugins = new HashMap<>();
  private final Set<String> allowedKinds;
  private final List<Pattern> allowedCommands;
  private final List<Pattern> allowedEnv;
  private final java.nio.file.Path workdirRoot;

  /**
   * Variables that change what a command does rather than what it is given: on an agent that runs
   * only some commands, a step may not set them (nor run in another directory than its own).
   */
  private static final Pattern HOOKS =
      Pattern.compile(
          "LD_.*|DYLD_.*|PATH|IFS|ENV|BASH_ENV|BASH_FUNC_.*|SHELLOPTS|PS4|CDPATH|"
              + "JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|NODE_OPTIONS|PYTHONPATH|"
              + "PYTHONSTARTUP|PERL5OPT|PERL5LIB|RUBYOPT|GIT_.*|CC|CXX|MAKEFLAGS");

  public ActionRunner(Set<String> allowedKinds, long killGraceMillis) {
    this(allowedKinds, List.of(), killGraceMillis);
  }

  /**
   * @param allowedKinds kinds this agent runs; empty means every kind it knows
   * @param allowedCommands patterns a shell command must match entirely; empty means any
   * @param killGraceMillis how long a killed action may take to exit after TERM before KILL
   */
  public ActionRunner(
      Set<String> allowedKinds, List<Pattern> allowedCommands, long killGraceMillis) {
    this(allowedKinds, allowedCommands, killGraceMillis, false);
  }

  /**
   * @param allowLinkLocal whether http steps may call link-local addresses (cloud metadata
   *     services: 169.254.169.254 and the like)
   */
  public ActionRunner(
      Set<String> allowedKinds,
      List<Pattern> allowedCommands,
      long killGraceMillis,
      boolean allowLinkLocal) {
    this(allowedKinds, allowedCommands, killGraceMillis, allowLinkLocal, List.of(), null);
  }

  /**
   * @param allowedEnv patterns every name of a shell step's {@code env} must match (empty: any)
   * @param workdirRoot the directory a shell step's {@code workdir} must stay in (null: the agent's
   *     work directory when commands are limited, else anywhere)
   */
  public ActionRunner(
      Set<String> allowedKinds,
      List<Pattern> allowedCommands,
      long killGraceMillis,
      boolean allowLinkLocal,
      List<Pattern> allowedEnv,
      java.nio.file.Path workdirRoot) {
    this.allowedEnv = List.copyOf(allowedEnv);
    this.workdirRoot = workdirRoot == null ? null : workdirRoot.toAbsolutePath().normalize();
    this.http = new HttpAction(allowLinkLocal);
    this.allowedKinds = Set.copyOf(allowedKinds);
    this.allowedCommands = List.copyOf(allowedCommands);
    this.shell = new ShellAction(killGraceMillis);
    for (ActionPlugin p : ServiceLoader.load(ActionPlugin.class)) {
      plugins.put(p.kind(), p);
    }
  }

  /** The kinds this agent knows: the built-ins and its plug-ins' (allowed or not). */
  public Set<String> kinds() {
    Set<String> out = new java.util.TreeSet<>(BUILT_IN);
    out.addAll(plugins.keySet());
    return out;
  }

  public AttemptOutcome run(Action action, AttemptContext ctx) throws InterruptedException {
    if (!allowedKinds.isEmpty() && !allowedKinds.contains(action.kind())) {
      return AttemptOutcome.notAllowed(
          "action kind \""
              + action.kind()
              + "\" is not allowed on this agent (allowed: "
              + String.join(", ", allowedKinds.stream().sorted().toList())
              + ")");
    }
    if (ctx.cancellation().isCancelled()) {
      return AttemptOutcome.cancelled("cancelled: " + ctx.cancellation().reason());
    }
    if (action instanceof Action.Shell s) {
      String refused = refused(s, ctx);
      if (refused != null) {
        return AttemptOutcome.notAllowed(refused);
      }
      return shell.run(s, ctx);
    }
    if (action instanceof Action.Http h) {
      return http.run(h, ctx);
    }
    if (action instanceof Action.Noop n) {
      return AttemptOutcome.success(n.result().orElse(null));
    }
    if (action instanceof Action.Sleep s) {
      long wait = s.duration().toMillis();
      if (wait > ctx.timeout().toMillis()) {
        if (ctx.cancellation().await(ctx.timeout().toMillis())) {
          return AttemptOutcome.cancelled("cancelled: " + ctx.cancellation().reason());
        }
        return AttemptOutcome.timeout("timed out after " + Durations.format(ctx.timeout()));
      }
      if (ctx.cancellation().await(wait)) {
        return AttemptOutcome.cancelled("cancelled: " + ctx.cancellation().reason());
      }
      return AttemptOutcome.success(null);
    }
    Action.Plugin p = (Action.Plugin) action;
    ActionPlugin plugin = plugins.get(p.kind());
    if (plugin == null) {
      return AttemptOutcome.failed(
          "this agent has no plug-in for action kind \"" + p.kind() + "\"");
    }
    return plugin.run(p.spec(), ctx);
  }

  /** Why this agent refuses a shell step, by its --allow-* and --workdir-root settings, or null. */
  private String refused(Action.Shell s, AttemptContext ctx) {
    boolean locked = !allowedCommands.isEmpty();
    if (locked && allowedCommands.stream().noneMatch(p -> p.matcher(s.command()).matches())) {
      return "command not allowed on this agent (it matches none of its --allow-commands patterns)";
    }
    for (String name : s.env().keySet()) {
      if (locked && HOOKS.matcher(name).matches()) {
        return "env "
            + name
            + " is not allowed on this agent: it would change what the allowed command does";
      }
      if (!allowedEnv.isEmpty() && allowedEnv.stream().noneMatch(p -> p.matcher(name).matches())) {
        return "env " + name + " is not allowed on this agent (it matches none of its --allow-env)";
      }
    }
    java.nio.file.Path root =
        workdirRoot != null
            ? workdirRoot
            : locked ? ctx.workdir().toAbsolutePath().normalize() : null;
    if (s.workdir().isPresent() && root != null) {
      java.nio.file.Path dir =
          ctx.workdir().toAbsolutePath().normalize().resolve(s.workdir().get()).normalize();
      if (!dir.startsWith(root)) {
        return "workdir "
            + s.workdir().get()
            + (workdirRoot != null
                ? " is outside this agent's --workdir-root " + workdirRoot
                : " leaves this agent's work directory");
      }
    }
    return null;
  }
}
