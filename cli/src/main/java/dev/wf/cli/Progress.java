package dev.wf.cli;

import dev.wf.protocol.event.WorkflowEvent;
import java.io.PrintWriter;

/** How a followed run shows on stderr: one line per event, or a live tree on a terminal. */
interface Progress extends AutoCloseable {
  void event(WorkflowEvent e);

  /** A line for the person watching, beside the run's own (what to do next). */
  void note(String line);

  /** Shows the last state; the summary comes after. */
  @Override
  void close();

  static Progress of(boolean tree, String runId, PrintWriter err, EventLines lines) {
    return tree ? new TreeScreen(runId, err, TerminalSize.detect()) : new Lines(lines, err);
  }

  /** Today's lines, for logs, pipes and CI. */
  final class Lines implements Progress {
    private final EventLines lines;
    private final PrintWriter err;

    Lines(EventLines lines, PrintWriter err) {
      this.lines = lines;
      this.err = err;
    }

    @Override
    public void event(WorkflowEvent e) {
      lines.print(e);
    }

    @Override
    public void note(String line) {
      err.println(line);
      err.flush();
    }

    @Override
    public void close() {}
  }
}
