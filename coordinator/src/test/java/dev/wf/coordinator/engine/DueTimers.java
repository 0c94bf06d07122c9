package dev.wf.coordinator.engine;

import java.util.Map;
import java.util.TreeMap;

/**
 * The timers a simulated shell holds for one run, as the machine set and cleared them (id to due
 * time, epoch ms); the earliest fires first.
 */
final class DueTimers {
  /** A timer taken to fire. */
  record Due(String id, long at) {}

  private final Map<String, Long> timers = new TreeMap<>();

  /** Follows {@code command} when it sets or clears a timer; other commands change nothing. */
  void track(Command command) {
    if (command instanceof Command.SetTimer t) {
      timers.put(t.timerId(), t.dueAt());
    } else if (command instanceof Command.ClearTimer t) {
      timers.remove(t.timerId());
    }
  }

  boolean isEmpty() {
    return timers.isEmpty();
  }

  /** Removes and returns the timer due first (ties by id); there must be one. */
  Due takeEarliest() {
    Map.Entry<String, Long> next =
        timers.entrySet().stream()
            .min(
                Map.Entry.<String, Long>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey()))
            .orElseThrow();
    // Copy the entry before removing it: a TreeMap reuses the removed node for its successor.
    Due due = new Due(next.getKey(), next.getValue());
    timers.remove(due.id());
    return due;
  }

  /** The timers still set, id to due time. */
  Map<String, Long> left() {
    return Map.copyOf(timers);
  }
}
