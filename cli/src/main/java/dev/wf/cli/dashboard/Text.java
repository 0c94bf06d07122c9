package dev.wf.cli.dashboard;

/** Caps on what the dashboard keeps of free text, so that memory stays bounded. */
final class Text {
  /** What a step keeps of its output, error or result (a tail, as the agents keep). */
  static final int TAIL = 4096;

  /** What a list row shows of an error. */
  static final int LINE = 240;

  private Text() {}

  /** The last {@code max} characters of {@code s}, marked when cut. */
  static String tail(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return "…" + s.substring(s.length() - max);
  }

  /** The first {@code max} characters of {@code s}, marked when cut. */
  static String head(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return s.substring(0, max) + "…";
  }
}
