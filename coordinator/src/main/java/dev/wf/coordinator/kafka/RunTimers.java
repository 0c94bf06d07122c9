package dev.wf.coordinator.kafka;

import dev.wf.coordinator.kafka.Keyspace.TimerKey;
import dev.wf.coordinator.kafka.Keyspace.TimerRef;
import java.util.List;

/** The runs' timers in the store: one entry ordered by due time, and an index by timer id. */
final class RunTimers {
  private final Keyspace state;

  RunTimers(Keyspace state) {
    this.state = state;
  }

  /** Sets the run's timer {@code timerId} to {@code due}, replacing any it had. */
  void set(String runId, String timerId, long due) {
    clear(runId, timerId);
    state.timers.put(new TimerKey(due, runId, timerId), Boolean.TRUE);
    state.timerIndex.put(new TimerRef(runId, timerId), due);
  }

  void clear(String runId, String timerId) {
    TimerRef ref = new TimerRef(runId, timerId);
    Long due = state.timerIndex.get(ref);
    if (due != null) {
      state.timers.delete(new TimerKey(due, runId, timerId));
      state.timerIndex.delete(ref);
    }
  }

  /** The timers due at {@code now} or before, earliest first, at most {@code max}. */
  List<TimerKey> due(long now, int max) {
    return state.timersDueBy(now, max);
  }

  /** Forgets a due timer before it fires. */
  void fired(TimerKey timer) {
    state.timers.delete(timer);
    state.timerIndex.delete(new TimerRef(timer.runId(), timer.timerId()));
  }
}
