package dev.wf.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.deploy.CommandLines.Invocation;
import dev.wf.protocol.definition.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The checks of the deploy kit against the CLI. Each check adds what is wrong, naming the file and
 * place, to a list, so one failure shows every mistake in the kit and not just the first.
 */
final class DeployLint {
  private static final Pattern WF_VAR = Pattern.compile("\\bWF_[A-Z0-9_]+\\b");

  /** What an agent needs on top of drain and kill grace to close its clients and exit. */
  private static final Duration CLOSING = Duration.ofSeconds(10);

  private final CliModel cli;
  private final List<String> problems = new ArrayList<>();

  DeployLint(CliModel cli) {
    this.cli = cli;
  }

  /** Checks against this checkout's CLI. */
  DeployLint() {
    this(CliModel.WF);
  }

  List<String> problems() {
    return List.copyOf(problems);
  }

  void assertNoProblems() {
    assertThat(problems).as("what is wrong in deploy/").isEmpty();
  }

  /** Every WF_* token in {@code text} is a variable the CLI reads. */
  void variables(String where, String text) {
    Matcher m = WF_VAR.matcher(text);
    while (m.find()) {
      if (!cli.allEnv().contains(m.group())) {
        problems.add(
            where + ": " + m.group() + " is read by no wf command (known: " + cli.allEnv() + ")");
      }
    }
  }

  /** Variables set for one command: each is one that command reads, with a value of its type. */
  void assignments(String where, String command, Map<String, String> vars) {
    vars.forEach(
        (var, value) -> {
          if (!var.startsWith("WF_")) {
            return;
          }
          if (!cli.envOf(command).contains(var)) {
            problems.add(
                where
                    + ": wf "
                    + command
                    + " does not read "
                    + var
                    + " (it reads "
                    + cli.envOf(command)
                    + ")");
          }
          value(where, var, value);
        });
  }

  /**
   * Variables several commands read from one place (a shared ConfigMap): each, WF_* or not, is one
   * of them reads, with a value of its type.
   */
  void sharedAssignments(String where, Set<String> commands, Map<String, String> vars) {
    Set<String> readable =
        commands.stream().flatMap(c -> cli.envOf(c).stream()).collect(Collectors.toSet());
    vars.forEach(
        (var, value) -> {
          if (!readable.contains(var)) {
            problems.add(where + ": " + var + " is read by none of " + commands);
          }
          value(where, var, value);
        });
  }

  /**
   * A variable's value is of its option's type (numbers, durations). Values taken from elsewhere
   * ({@code valueFrom}, {@code fieldRef:...}) are not known here.
   */
  void value(String where, String var, String value) {
    OptionSpec o = cli.optionOfVar().get(var);
    if (o == null || value == null || value.equals("valueFrom") || value.startsWith("fieldRef:")) {
      return;
    }
    Class<?> type = o.type();
    boolean ok = true;
    if (type == int.class
        || type == long.class
        || type == short.class
        || type == Integer.class
        || type == Long.class) {
      ok = value.matches("\\d+");
    } else if ("DURATION".equals(o.paramLabel())) {
      ok = Durations.parse(value).isPresent();
    }
    if (!ok) {
      problems.add(
          where
              + ": "
              + var
              + "="
              + value
              + " is no "
              + (type.isPrimitive() ? type.getName() : o.paramLabel())
              + " ("
              + String.join("/", o.names())
              + ")");
    }
  }

  /**
   * Each call of wf in {@code lines} names a subcommand (or an option of wf), and each --flag after
   * a subcommand is one of its options. Returns how many calls it found.
   */
  int commandLines(String where, List<String> lines) {
    int found = 0;
    for (String line : lines) {
      for (Invocation call : CommandLines.invocations(line)) {
        found++;
        invocation(where, call);
      }
    }
    return found;
  }

  /**
   * An agent's stop timeout ({@code what}) outlasts the drain and kill grace its variables give,
   * else it is killed while it still hands back its steps.
   */
  void assertOutlastsDrain(String what, Duration stop, Map<String, String> env) {
    Duration needed =
        duration(cli.valueOr(env, "WF_DRAIN_TIMEOUT"))
            .plus(duration(cli.valueOr(env, "WF_KILL_GRACE")));
    assertThat(stop).as(what + " vs drain + kill grace").isGreaterThan(needed.plus(CLOSING));
  }

  static Duration duration(String text) {
    assertThat(text).as("a duration").isNotNull();
    return Durations.parse(text).orElseThrow(() -> new AssertionError(text + " is no duration"));
  }

  private void invocation(String where, Invocation call) {
    String word = call.word();
    if (word.startsWith("-")) {
      if (!cli.topFlags().contains(word.split("=")[0])) {
        problems.add(where + ": wf has no option " + word + " (in: " + call.line() + ")");
      }
      return;
    }
    Set<String> known = cli.flags().get(word);
    if (known == null) {
      problems.add(
          where
              + ": wf has no subcommand "
              + word
              + " (in: "
              + call.line()
              + "; it has "
              + cli.flags().keySet()
              + ")");
      return;
    }
    for (String option : call.options()) {
      if (!known.contains(option)) {
        problems.add(
            where + ": wf " + word + " has no option " + option + " (in: " + call.line() + ")");
      }
    }
  }
}
