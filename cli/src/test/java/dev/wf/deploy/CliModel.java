package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.cli.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What {@code wf} offers, read from the CLI itself (the picocli model of {@link Main} and the
 * {@code System.getenv} calls of its sources), so that renaming a subcommand, a flag or a WF_*
 * variable without updating deploy/ fails the deploy tests.
 *
 * @param topFlags the options of {@code wf} itself
 * @param flags each subcommand's options
 * @param env the WF_* variables each subcommand reads
 * @param optionOfVar the option whose default a variable supplies
 * @param defaults a variable's default as the CLI spells it ({@code ${env:WF_X:-default}})
 * @param allEnv every WF_* variable any part of the CLI reads
 */
record CliModel(
    Set<String> topFlags,
    Map<String, Set<String>> flags,
    Map<String, Set<String>> env,
    Map<String, OptionSpec> optionOfVar,
    Map<String, String> defaults,
    Set<String> allEnv) {
  private static final Pattern ENV_DEFAULT =
      Pattern.compile("\\$\\{env:(WF_[A-Z0-9_]+)(?::-([^}]*))?}");
  private static final Pattern GETENV = Pattern.compile("getenv\\(\\s*\"(WF_[A-Z0-9_]+)\"\\s*\\)");

  /** The CLI of this checkout. */
  static final CliModel WF = load(DeployFiles.REPO.resolve("cli/src/main/java/dev/wf/cli"));

  static CliModel load(Path sources) {
    assertThat(sources).as("the CLI's sources, for its System.getenv calls").isDirectory();
    CommandLine named = new CommandLine(new Main());
    // Not interpolated: the default values keep their ${env:WF_...} text.
    CommandLine raw = new CommandLine(new Main());
    raw.setInterpolateVariables(false);
    Set<String> top = names(named.getCommandSpec().options());
    Map<String, Set<String>> flags = new TreeMap<>();
    named
        .getSubcommands()
        .forEach((name, sub) -> flags.put(name, names(sub.getCommandSpec().options())));
    Map<String, Set<String>> env = new TreeMap<>();
    Map<String, OptionSpec> optionOfVar = new TreeMap<>();
    Map<String, String> defaults = new TreeMap<>();
    raw.getSubcommands()
        .forEach(
            (name, sub) -> {
              Set<String> vars = new TreeSet<>();
              for (OptionSpec o : sub.getCommandSpec().options()) {
                String d = o.defaultValue();
                Matcher m = ENV_DEFAULT.matcher(d == null ? "" : d);
                while (m.find()) {
                  vars.add(m.group(1));
                  optionOfVar.putIfAbsent(m.group(1), o);
                  if (m.group(2) != null) {
                    defaults.putIfAbsent(m.group(1), m.group(2));
                  }
                }
              }
              // Variables a command reads itself (WF_POOLS, WF_ALLOW_KINDS of the agent), or
              // through one of its mixins (WF_COORDINATOR_KEY of the agent's AgentAllowlist).
              List<Object> parts = new java.util.ArrayList<>();
              parts.add(sub.getCommandSpec().userObject());
              sub.getCommandSpec().mixins().values().forEach(m -> parts.add(m.userObject()));
              for (Object part : parts) {
                Path source = sources.resolve(part.getClass().getSimpleName() + ".java");
                if (Files.isRegularFile(source)) {
                  vars.addAll(getenvs(DeployFiles.read(source)));
                }
              }
              env.put(name, vars);
            });
    Set<String> all = new TreeSet<>();
    env.values().forEach(all::addAll);
    try (Stream<Path> files = Files.list(sources)) {
      files
          .filter(f -> f.toString().endsWith(".java"))
          .forEach(f -> all.addAll(getenvs(DeployFiles.read(f))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new CliModel(top, flags, env, optionOfVar, defaults, all);
  }

  Set<String> envOf(String command) {
    return env.getOrDefault(command, Set.of());
  }

  /** The value of a variable as the command would see it: set, else the CLI's default. */
  String valueOr(Map<String, String> set, String var) {
    return set.containsKey(var) ? set.get(var) : defaults.get(var);
  }

  private static Set<String> names(List<OptionSpec> options) {
    return options.stream()
        .flatMap(o -> Stream.of(o.names()))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> getenvs(String source) {
    Set<String> out = new TreeSet<>();
    Matcher m = GETENV.matcher(source);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }
}
