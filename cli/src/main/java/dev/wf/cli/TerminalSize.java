package dev.wf.cli;

import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * The terminal's rows and columns: what {@code stty size} says of the controlling terminal, else
 * {@code LINES} and {@code COLUMNS}, else 24 by 80.
 */
record TerminalSize(int rows, int columns) {
  static final TerminalSize DEFAULT = new TerminalSize(24, 80);

  static TerminalSize detect() {
    try {
      Process p =
          new ProcessBuilder("stty", "size")
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/tty")))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(2, TimeUnit.SECONDS) && p.exitValue() == 0) {
        String[] rc = out.split("\\s+");
        // a pseudo-terminal nobody sized says 0 0
        if (rc.length == 2 && Integer.parseInt(rc[0]) > 0 && Integer.parseInt(rc[1]) > 0) {
          return new TerminalSize(Integer.parseInt(rc[0]), Integer.parseInt(rc[1]));
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // no terminal to ask: the environment, or the default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return new TerminalSize(
        number(System.getenv("LINES"), DEFAULT.rows),
        number(System.getenv("COLUMNS"), DEFAULT.columns));
  }

  private static int number(String s, int otherwise) {
    try {
      return s == null ? otherwise : Math.max(1, Integer.parseInt(s.trim()));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }
}
