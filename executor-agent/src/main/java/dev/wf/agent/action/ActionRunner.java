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
  private final ShellAction shell;
  private final HttpAction http = new HttpAction();
  private final Map<String, ActionPlugin> plugins = new HashMap<>();
  private final Set<String> allowedKinds;
  private final List<Pattern> allowedCommands;

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
    this.allowedKinds = Set.copyOf(allowedKinds);
    this.allowedCommands = List.copyOf(allowedCommands);
    this.shell = new ShellAction(killGraceMillis);
    for (ActionPlugin p : ServiceLoader.load(ActionPlugin.class)) {
      plugins.put(p.kind(), p);
    }
  }

  public AttemptOutcome run(Action action, AttemptContext ctx) throws InterruptedException {
    if (!allowedKinds.isEmpty() && !allowedKinds.contains(action.kind())) {
      return AttemptOutcome.failed(
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
      if (!allowedCommands.isEmpty()
          && allowedCommands.stream().noneMatch(p -> p.matcher(s.command()).matches())) {
        return AttemptOutcome.failed(
            "command not allowed on this agent (it matches none of its --allow-commands patterns)");
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
}
