package dev.wf.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shell-like text (scripts, unit lines, Markdown code, a container's argv) read for the calls of
 * {@code wf} it makes. No shell grammar: tokens split on blanks, which is what the kit's files
 * need.
 */
final class CommandLines {
  private static final Set<String> SEPARATORS =
      Set.of("|", "||", "&&", ";", "&", ">", ">>", "2>", "2>&1", "<");
  private static final Pattern INLINE_CODE = Pattern.compile("`([^`]+)`");

  private CommandLines() {}

  /**
   * One call of {@code java -jar .../wf.jar WORD ...} or {@code wf WORD ...}.
   *
   * @param line the line it is in, trimmed, for messages
   * @param word a subcommand, or an option of {@code wf} itself
   * @param options the names of the --options after a subcommand, up to the end of the call
   */
  record Invocation(String line, String word, List<String> options) {}

  /** Lines with backslash continuations joined. */
  static List<String> logical(String text) {
    return List.of(text.replace("\\\r\n", " ").replace("\\\n", " ").split("\\R"));
  }

  /** The code of a Markdown text: the lines of fenced blocks, and each inline code span. */
  static List<String> markdownCode(String text) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    StringBuilder block = new StringBuilder();
    for (String line : text.split("\\R")) {
      if (line.strip().startsWith("```")) {
        if (fenced) {
          out.addAll(logical(block.toString()));
          block.setLength(0);
        }
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        block.append(line).append('\n');
      } else {
        Matcher m = INLINE_CODE.matcher(line);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }

  /** The calls of wf in one line: the jar after {@code -jar}, or {@code wf} where a command is. */
  static List<Invocation> invocations(String line) {
    List<Invocation> out = new ArrayList<>();
    String[] t = line.trim().split("\\s+");
    for (int i = 0; i + 1 < t.length; i++) {
      // `java -jar wf.jar` with nothing after it in the same span calls nothing.
      if (!callsWf(t, i) || terminates(t[i])) {
        continue;
      }
      String word = clean(t[i + 1]);
      List<String> options = new ArrayList<>();
      if (!word.startsWith("-") && !terminates(t[i + 1])) {
        for (int j = i + 2; j < t.length; j++) {
          String raw = t[j];
          if (SEPARATORS.contains(raw) || raw.startsWith("#") || raw.startsWith("|")) {
            break;
          }
          String flag = clean(raw);
          if (flag.startsWith("--")) {
            options.add(flag.split("=")[0]);
          }
          if (terminates(raw)) {
            break;
          }
        }
      }
      out.add(new Invocation(line.trim(), word, options));
    }
    return out;
  }

  /** The subcommand of {@code java -jar .../wf.jar CMD}, if the argv runs the jar. */
  static Optional<String> jarCommand(List<String> argv) {
    for (int i = 1; i + 1 < argv.size(); i++) {
      if (argv.get(i).endsWith("wf.jar") && argv.get(i - 1).equals("-jar")) {
        return Optional.of(argv.get(i + 1));
      }
    }
    return Optional.empty();
  }

  /** The path of the jar an argv runs, or "" if it runs none. */
  static String jarPath(List<String> argv) {
    return argv.stream().filter(s -> s.endsWith("wf.jar")).findFirst().orElse("");
  }

  private static boolean callsWf(String[] t, int i) {
    String tok = clean(t[i]);
    String prev = i == 0 ? "" : t[i - 1];
    if (tok.endsWith("wf.jar") && clean(prev).equals("-jar")) {
      return true;
    }
    return tok.equals("wf")
        && (i == 0
            || SEPARATORS.contains(prev)
            || prev.equals("$")
            || prev.endsWith(";")
            || t[i].startsWith("$(")
            || t[i].startsWith("`"));
  }

  private static boolean terminates(String raw) {
    return raw.endsWith(";")
        || raw.endsWith("`")
        || raw.endsWith("`,")
        || raw.endsWith("`.")
        || raw.endsWith(")")
        || raw.endsWith("]")
        || raw.endsWith("&&");
  }

  private static String clean(String raw) {
    return raw.replaceAll("^[\"'`(\\[$]+", "").replaceAll("[\"'`,;:.)\\]]+$", "");
  }
}
