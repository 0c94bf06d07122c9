package dev.wf.cli;

import picocli.CommandLine.Option;

/** How {@code wf run} and {@code wf watch} show a run: a live tree on a terminal, else lines. */
final class DisplayOptions {
  @Option(
      names = "--tree",
      description = "Show the run as a live tree that redraws in place (default on a terminal).")
  boolean tree;

  @Option(
      names = "--plain",
      description = "One line per event (default when the output is not a terminal).")
  boolean plain;

  /** True for the tree: asked for, or on a terminal unless lines were asked for. */
  boolean tree() {
    if (tree && plain) {
      throw new UserError(Main.INVALID, "--tree and --plain exclude each other");
    }
    if (tree || plain) {
      return tree;
    }
    // System.console() is there only when both ends of the process are a terminal: a pipe, a
    // file or CI gets lines, which read well in a log.
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }
}
