package dev.wf.cli.dashboard;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One page's Server-Sent Events stream: what it watches ({@link Scope}), and a bounded queue of
 * messages its own thread writes. A page too slow to keep up is dropped; its browser reconnects and
 * gets a fresh snapshot, so nothing is lost but the backlog.
 */
final class PageStream {
  /** Messages queued per page before it counts as stuck. */
  static final int BACKLOG = 1_000;

  /** A comment sent when nothing else is, so that a dead connection is noticed. */
  static final long KEEPALIVE_MS = 15_000;

  /** What a page watches: the runs list, one run, or the agents. */
  record Scope(String kind, String runId) {
    static final String RUNS = "runs";
    static final String RUN = "run";
    static final String AGENTS = "agents";
  }

  final Scope scope;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(BACKLOG);
  private volatile boolean closed;

  PageStream(Scope scope) {
    this.scope = scope;
  }

  /** Queues event {@code name} with {@code json} as data; false when the page fell behind. */
  boolean offer(String name, String json) {
    if (closed) {
      return false;
    }
    if (!queue.offer("event: " + name + "\ndata: " + json + "\n\n")) {
      closed = true;
      return false;
    }
    return true;
  }

  boolean closed() {
    return closed;
  }

  void close() {
    closed = true;
  }

  /** The next queued message, waiting up to {@code waitMs}; null when none came. */
  String next(long waitMs) throws InterruptedException {
    return queue.poll(waitMs, TimeUnit.MILLISECONDS);
  }

  /** Writes queued messages to {@code out} until the page goes away or the stream is closed. */
  void pump(OutputStream out) throws IOException, InterruptedException {
    while (!closed) {
      String msg = next(KEEPALIVE_MS);
      if (msg == null) {
        msg = ": keepalive\n\n";
      }
      StringBuilder batch = new StringBuilder(msg);
      for (String more = queue.poll(); more != null; more = queue.poll()) {
        batch.append(more);
      }
      out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
