package dev.wf.cli.dashboard;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the tree out of a step path (DESIGN.md section 2): {@code Root.sequential[0].parallel[2]}
 * is child 2 of {@code Root.sequential[0]}. Events carry paths, not the definition, so the tree is
 * rebuilt from them.
 */
final class StepPaths {
  private static final Pattern LAST = Pattern.compile("^(.*)\\.(?:sequential|parallel)\\[(\\d+)]$");

  private StepPaths() {}

  /** The parent's path, or null for the root. */
  static String parent(String path) {
    Matcher m = LAST.matcher(path);
    return m.matches() ? m.group(1) : null;
  }

  /** The step's place among its siblings (0 for the root). */
  static int index(String path) {
    Matcher m = LAST.matcher(path);
    return m.matches() ? Integer.parseInt(m.group(2)) : 0;
  }
}
