package dev.wf.cli;

import dev.wf.protocol.event.WorkflowEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The live tree on a terminal: redraws {@link TreeView}'s lines in place (cursor up over what it
 * drew last, clear to the end of the screen, draw again) a few times a second, so that durations
 * tick while nothing happens and a burst of events costs one redraw.
 */
final class TreeScreen implements Progress {
  private static final long REDRAW_MS = 250;
  private static final int NOTES = 3;

  private final PrintWriter err;
  private final RunTree tree;
  private final TreeView view;
  private final List<String> notes = new ArrayList<>();
  private final int columns;
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "wf-tree");
            t.setDaemon(true);
            return t;
          });
  private int drawn;
  private boolean closed;

  TreeScreen(String runId, PrintWriter err, TerminalSize size) {
    this.err = err;
    this.tree = new RunTree(runId);
    this.view = new TreeView(size.rows() - 1 - NOTES, size.columns(), true);
    this.columns = size.columns();
    paint(); // at once: the person sees where the run stands before the first event
    ticker.scheduleWithFixedDelay(this::draw, REDRAW_MS, REDRAW_MS, TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void event(WorkflowEvent e) {
    tree.apply(e);
  }

  /** A line that stays under the tree (the last few), e.g. the command that approves a step. */
  @Override
  public synchronized void note(String line) {
    // one line each, within the width: a wrapped line would throw the redraw off by a line
    String one = line.strip().replaceAll("\\s+", " ");
    notes.add(one.length() < columns ? one : one.substring(0, Math.max(1, columns - 2)) + "…");
    if (notes.size() > NOTES) {
      notes.remove(0);
    }
  }

  private synchronized void paint() {
    List<String> lines = new ArrayList<>(view.render(tree, System.currentTimeMillis()));
    lines.addAll(notes);
    StringBuilder b = new StringBuilder();
    if (drawn > 0) {
      b.append("\r\u001b[").append(drawn).append('A');
    }
    b.append("\u001b[J");
    for (String l : lines) {
      b.append(l).append('\n');
    }
    err.print(b);
    err.flush();
    drawn = lines.size();
  }

  /** Draws the last state once more and leaves it on the screen; then draws no more. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    ticker.shutdownNow();
    try {
      ticker.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paint();
  }

  private synchronized void draw() {
    if (!closed) {
      paint();
    }
  }
}
