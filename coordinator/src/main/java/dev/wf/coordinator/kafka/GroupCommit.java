package dev.wf.coordinator.kafka;

import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Group commit. Under exactly-once an agent sees a dispatch, and a client a result, only once the
 * transaction that wrote it commits; a commit blocks the stream thread a few milliseconds. So
 * commit as soon as the input runs dry (the thread found nothing more to process) when something is
 * awaited: a quiet coordinator commits at once, a busy one gathers everything that arrived during
 * the last commit into the next. The commit interval remains the upper bound under steady load.
 */
final class GroupCommit {
  private static final long IDLE_NANOS = 300_000;

  /**
   * When this stream thread last processed a record, in any of its tasks: a commit commits every
   * task of the thread, so idle means idle in all of them.
   */
  private static final ThreadLocal<long[]> LAST_PROCESSED =
      ThreadLocal.withInitial(() -> new long[1]);

  private final ProcessorContext<?, ?> context;
  private boolean awaited;

  GroupCommit(ProcessorContext<?, ?> context) {
    this.context = context;
  }

  /** Something was written that someone waits for. */
  void awaited() {
    awaited = true;
  }

  /** The thread processed a record just now. */
  void processed() {
    LAST_PROCESSED.get()[0] = System.nanoTime();
  }

  /** The punctuation: commits when something is awaited and the thread has gone idle. */
  void commitWhenIdle(long wallNow) {
    if (awaited && System.nanoTime() - LAST_PROCESSED.get()[0] >= IDLE_NANOS) {
      awaited = false;
      context.commit();
    }
  }
}
