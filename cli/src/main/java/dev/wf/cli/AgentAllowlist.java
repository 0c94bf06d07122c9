package dev.wf.cli;

import dev.wf.agent.AgentKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Option;

/** What an agent agrees to run: action kinds, shell commands, and who must have signed them. */
final class AgentAllowlist {
  @Option(
      names = "--allow-kinds",
      paramLabel = "KIND[,KIND...]",
      split = ",",
      description = "Run only these action kinds (env WF_ALLOW_KINDS; default: all).")
  List<String> allowKinds;

  @Option(
      names = "--allow-commands",
      paramLabel = "REGEX",
      description = "Run only shell commands matching one of these patterns entirely (repeatable).")
  List<String> allowCommands;

  @Option(
      names = "--coordinator-key",
      paramLabel = "FILE",
      split = ",",
      description =
          "Run only dispatches signed by the coordinator whose public key this is (repeatable for"
              + " a rotation; env WF_COORDINATOR_KEY, comma-separated).")
  List<Path> coordinatorKeys;

  @Option(
      names = "--agent-key",
      paramLabel = "FILE",
      defaultValue = "${env:WF_AGENT_KEY}",
      description =
          "This agent's private key: signs its reports and heartbeats; the coordinator's trust"
              + " file has its .pub (env WF_AGENT_KEY; make one with wf keygen AGENT_ID).")
  Path agentKey;

  @Option(
      names = "--allow-env",
      paramLabel = "REGEX",
      description =
          "Run only shell steps whose env names each match one of these patterns entirely"
              + " (repeatable; default: any name, but with --allow-commands none that changes what"
              + " a command does: PATH, LD_*...).")
  List<String> allowEnv;

  @Option(
      names = "--workdir-root",
      paramLabel = "DIR",
      defaultValue = "${env:WF_WORKDIR_ROOT}",
      description =
          "A shell step's workdir must stay inside DIR (env WF_WORKDIR_ROOT; default: anywhere, or"
              + " the agent's --workdir with --allow-commands).")
  Path workdirRoot;

  @Option(
      names = "--allow-link-local",
      description =
          "Let http steps call link-local addresses (169.254.0.0/16, fe80::/10): cloud metadata"
              + " services that give out this host's credentials. Off by default.")
  boolean allowLinkLocal;

  @Option(
      names = "--insecure",
      description =
          "Run without --coordinator-key and --agent-key: any record on the pool's topic runs, and"
              + " anyone can report as this agent. For a laptop only.")
  boolean insecure;

  /**
   * The option's values, else those of the comma-separated {@code fromEnv} (the value of its
   * environment variable), else {@code otherwise}.
   */
  static List<String> orEnv(List<String> values, String fromEnv, List<String> otherwise) {
    if (values != null) {
      return values;
    }
    if (fromEnv == null || fromEnv.isBlank()) {
      return otherwise;
    }
    return Arrays.stream(fromEnv.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  /** The action kinds it runs (empty: all); {@code fromEnv} is WF_ALLOW_KINDS. */
  Set<String> kinds(String fromEnv) {
    return new LinkedHashSet<>(orEnv(allowKinds, fromEnv, List.of()));
  }

  /** Patterns a shell command must match entirely (empty: any); exit 2 on a bad one. */
  List<Pattern> commands() {
    return patterns("--allow-commands", allowCommands);
  }

  /** Patterns a shell step's env names must match entirely (empty: any); exit 2 on a bad one. */
  List<Pattern> env() {
    return patterns("--allow-env", allowEnv);
  }

  private static List<Pattern> patterns(String option, List<String> given) {
    List<Pattern> patterns = new ArrayList<>();
    for (String re : given == null ? List.<String>of() : given) {
      try {
        patterns.add(Pattern.compile(re));
      } catch (PatternSyntaxException e) {
        throw new UserError(Main.INVALID, option + " " + re + ": " + e.getDescription());
      }
    }
    return patterns;
  }

  /** The agent's keys, checked: secure unless --insecure says otherwise, and then loudly. */
  AgentKeys keys() {
    List<Path> coordinator =
        coordinatorKeys != null
            ? coordinatorKeys
            : orEnv(null, System.getenv("WF_COORDINATOR_KEY"), List.of()).stream()
                .map(Path::of)
                .toList();
    if (insecure) {
      if (!coordinator.isEmpty() || agentKey != null) {
        throw new UserError(
            Main.INVALID,
            "--insecure and --coordinator-key/--agent-key contradict each other; pick one");
      }
      org.slf4j.LoggerFactory.getLogger("wf.agent")
          .warn(
              "INSECURE: this agent runs unsigned dispatches and signs nothing; anyone who can"
                  + " write its pool's topic runs commands here (see SECURITY.md)");
      return AgentKeys.none();
    }
    if (coordinator.isEmpty() || agentKey == null) {
      throw new UserError(
          Main.INVALID,
          "an agent needs --coordinator-key (WF_COORDINATOR_KEY) and --agent-key (WF_AGENT_KEY):"
              + " make keys with `wf keygen`, or pass --insecure on a machine of your own");
    }
    return new AgentKeys(
        Keyring.verifier("--coordinator-key", coordinator),
        Keyring.signer("--agent-key", agentKey, null));
  }
}
