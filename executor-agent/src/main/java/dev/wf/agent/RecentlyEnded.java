package dev.wf.agent;

import dev.wf.protocol.message.DispatchRef;
import java.util.LinkedHashMap;
import java.util.Map;

/** The last dispatches that ended on this agent, oldest forgotten first. Thread-safe. */
final class RecentlyEnded {
  private final Map<DispatchRef, Boolean> seen;

  RecentlyEnded(int capacity) {
    this.seen =
        new LinkedHashMap<>(16, 0.75f, false) {
          private static final long serialVersionUID = 1L;

          @Override
          protected boolean removeEldestEntry(Map.Entry<DispatchRef, Boolean> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized void add(DispatchRef ref) {
    seen.put(ref, Boolean.TRUE);
  }

  synchronized boolean contains(DispatchRef ref) {
    return seen.containsKey(ref);
  }
}
