package dev.wf.cli;

import dev.wf.cli.RunTree.Node;
import dev.wf.cli.RunTree.State;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's tree as the lines of a screen (pure: the tree and the time in, lines out): a header, then
 * each step with its status symbol, duration, agent, attempts and what it waits for or why it
 * failed, groups nested. At most {@code rows} lines of at most {@code columns} characters, so that
 * a 10,000-step run fits a terminal: over that, finished groups fold into one line each, then
 * finished steps are left out, then the rest is cut with a line that says how much.
 */
final class TreeView {
  /** What is left out when the tree does not fit, from least to most. */
  private enum Fold {
    NONE,
    DONE_GROUPS,
    DONE_STEPS
  }

  private static final String RESET = "\u001b[0m";

  private final int rows;
  private final int columns;
  private final boolean color;

  TreeView(int rows, int columns, boolean color) {
    this.rows = Math.max(4, rows);
    this.columns = Math.max(20, columns);
    this.color = color;
  }

  List<String> render(RunTree tree, long now) {
    List<String> out = new ArrayList<>();
    out.add(header(tree, now));
    if (tree.root() == null) {
      return out;
    }
    List<String> body = List.of();
    for (Fold fold : Fold.values()) {
      body = new ArrayList<>();
      layout(tree.root(), "", "", fold, now, body);
      if (body.size() < rows) {
        break;
      }
    }
    if (body.size() >= rows) {
      int keep = rows - 2;
      int cut = body.size() - keep;
      body = new ArrayList<>(body.subList(0, keep));
      body.add(fit("… " + cut + " more lines"));
    }
    out.addAll(body);
    return out;
  }

  private String header(RunTree tree, long now) {
    Map<State, Integer> counts = new EnumMap<>(State.class);
    if (tree.root() != null) {
      count(tree.root(), counts);
    }
    StringBuilder b =
        new StringBuilder("run ")
            .append(tree.runId())
            .append("  ")
            .append(word(tree.runState()))
            .append("  ")
            .append(duration(tree.runTook(now)));
    for (Map.Entry<State, Integer> c : counts.entrySet()) {
      b.append("  ").append(c.getValue()).append(' ').append(word(c.getKey()));
    }
    if (tree.runError() != null) {
      b.append("  ").append(tree.runError());
    }
    String line = fit(b.toString());
    return color ? paint(tree.runState(), line) : line;
  }

  private static void count(Node n, Map<State, Integer> counts) {
    if (n.children.isEmpty()) {
      counts.merge(n.state, 1, Integer::sum);
    }
    n.children.forEach(c -> count(c, counts));
  }

  private void layout(Node n, String lead, String indent, Fold fold, long now, List<String> out) {
    boolean folded = fold != Fold.NONE && !n.children.isEmpty() && n.state.ended() && !failed(n);
    out.add(line(lead, n, folded, now));
    if (folded) {
      return;
    }
    List<Node> shown = new ArrayList<>();
    for (Node c : n.children) {
      boolean doneStep =
          c.children.isEmpty() && (c.state == State.SUCCESS || c.state == State.SKIPPED);
      if (fold != Fold.DONE_STEPS || !doneStep) {
        shown.add(c);
      }
    }
    int hidden = n.children.size() - shown.size();
    for (int i = 0; i < shown.size(); i++) {
      boolean last = i == shown.size() - 1 && hidden == 0;
      layout(
          shown.get(i),
          indent + (last ? "└─" : "├─"),
          indent + (last ? "  " : "│ "),
          fold,
          now,
          out);
    }
    if (hidden > 0) {
      out.add(fit(indent + "└─ … " + hidden + " finished steps not shown"));
    }
  }

  /** True when the step or anything under it failed or timed out. */
  private static boolean failed(Node n) {
    return n.state.failure() || n.children.stream().anyMatch(TreeView::failed);
  }

  private String line(String lead, Node n, boolean folded, long now) {
    StringBuilder b = new StringBuilder(n.name == null ? n.path : n.name);
    if (folded) {
      b.append("  (").append(n.leaves()).append(" steps)");
    }
    b.append("  ").append(duration(n.took(now)));
    if (n.state != State.SUCCESS && n.state != State.RUNNING) {
      b.append("  ").append(word(n.state));
    }
    if (n.agent != null) {
      b.append("  on ").append(n.agent);
    }
    if (n.attempts > 1) {
      b.append("  attempt ").append(n.attempts);
    }
    if (n.note != null && !n.note.isBlank()) {
      b.append("  ").append(n.note.replaceAll("\\s+", " ").strip());
    }
    String symbol = symbol(n.state);
    String text = fit(lead + symbol + " " + b);
    if (!color || text.length() < lead.length() + symbol.length()) {
      return text;
    }
    int at = lead.length();
    return text.substring(0, at) + paint(n.state, symbol) + text.substring(at + symbol.length());
  }

  /** Cut to the width, one column short of it, so that no terminal wraps the line. */
  private String fit(String s) {
    return s.length() < columns ? s : s.substring(0, columns - 2) + "…";
  }

  private static String paint(State s, String text) {
    String code =
        switch (s) {
          case SUCCESS -> "32";
          case FAILED, TIMEOUT -> "31";
          case CANCELLED, WAITING, RETRYING -> "33";
          case SKIPPED -> "90";
          case RUNNING -> "36";
        };
    return "\u001b[" + code + "m" + text + RESET;
  }

  static String symbol(State s) {
    return switch (s) {
      case SUCCESS -> "✔";
      case FAILED -> "✖";
      case TIMEOUT -> "⏱";
      case CANCELLED -> "⊘";
      case SKIPPED -> "○";
      case RUNNING -> "●";
      case WAITING -> "◷";
      case RETRYING -> "↻";
    };
  }

  static String word(State s) {
    return s.name().toLowerCase(Locale.ROOT);
  }

  /** 850ms, 4.2s, 3m05s, 1h02m. */
  static String duration(long ms) {
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
  }
}
