package dev.wf.cli;

import dev.wf.protocol.Signatures;
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
      names = "--signing-keys",
      paramLabel = "ID=SECRET[,...]",
      defaultValue = "${env:WF_SIGNING_KEYS}",
      description = "Refuse dispatches not signed with one of these keys (env WF_SIGNING_KEYS).")
  String signingKeys;

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
    List<Pattern> patterns = new ArrayList<>();
    for (String re : allowCommands == null ? List.<String>of() : allowCommands) {
      try {
        patterns.add(Pattern.compile(re));
      } catch (PatternSyntaxException e) {
        throw new UserError(Main.INVALID, "--allow-commands " + re + ": " + e.getDescription());
      }
    }
    return patterns;
  }

  Signatures signatures() {
    return CoordinatorCommand.signatures(signingKeys);
  }
}
