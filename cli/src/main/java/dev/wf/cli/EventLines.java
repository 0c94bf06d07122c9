package dev.wf.cli;

import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.ErrorEntry;
import dev.wf.protocol.result.WorkflowResult;
import java.io.PrintWriter;
import java.util.Locale;

/** One live line per event, and the summary at the end, for people (on stderr). */
final class EventLines {
  private final PrintWriter err;
  private final long t0 = System.currentTimeMillis();

  EventLines(PrintWriter err) {
    this.err = err;
  }

  void print(WorkflowEvent e) {
    double t = (System.currentTimeMillis() - t0) / 1000.0;
    StringBuilder b =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "%7.2fs  %-18s %s",
                t,
                e.type().wire(),
                e.step() == null ? "" : e.step()));
    if (e.type().wire().startsWith("workflow:")
        && e.type() != dev.wf.protocol.event.EventType.WORKFLOW_START) {
      if (e.reason() != null) {
        b.append("  ").append(e.reason());
      }
      if (e.error() != null) {
        b.append("  ").append(e.error());
      }
      line(b);
      return;
    }
    if (e.duration() != null) {
      b.append("  ").append(e.duration()).append(" ms");
    }
    if (e.type() == dev.wf.protocol.event.EventType.STEP_RETRY) {
      b.append("  attempt ")
          .append(e.attempt())
          .append(" failed, next in ")
          .append(e.delay())
          .append(" ms");
    } else if (e.attempt() != null && e.attempt() > 1) {
      b.append("  attempt ").append(e.attempt());
    }
    if (e.message() != null) {
      b.append("  \"").append(e.message()).append('"');
    }
    if (e.reason() != null) {
      b.append("  ").append(e.reason());
    }
    if (e.agent() != null) {
      b.append(e.type() == dev.wf.protocol.event.EventType.SIGNAL_REFUSED ? "  from " : "  on ");
      b.append(e.agent());
    }
    if (e.error() != null) {
      b.append("  ").append(e.error());
    }
    if (e.path() != null && !e.path().equals(e.step())) {
      b.append("  [").append(e.path()).append(']');
    }
    line(b);
  }

  private void line(CharSequence s) {
    err.println(s);
    err.flush();
  }

  void summary(WorkflowResult r) {
    err.println();
    err.printf(
        Locale.ROOT,
        "%s: %s in %.1f s (%d steps, %d errors) run %s%n",
        r.name(),
        r.status().word(),
        r.duration() / 1000.0,
        r.steps().size(),
        r.errors().size(),
        r.runId());
    for (ErrorEntry e : r.errors()) {
      err.println("  error at " + e.path() + " (" + e.step() + "): " + e.message());
    }
    err.flush();
  }
}
