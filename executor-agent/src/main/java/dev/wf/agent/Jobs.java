package dev.wf.agent;

import dev.wf.protocol.message.DispatchRef;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What this agent runs, by run and dispatch id (a dispatch id alone repeats in every run of one
 * workflow), and what it ran lately, so that a redelivery of the very same dispatch is recognised
 * and only that is ignored. Thread-safe.
 */
final class Jobs {
  /** How many ended dispatches are remembered. */
  static final int REMEMBERED = 10_000;

  private final Map<DispatchRef, Job> running = new ConcurrentHashMap<>();
  private final RecentlyEnded ended = new RecentlyEnded(REMEMBERED);

  /** True when {@code ref} runs here or ran here lately. */
  boolean known(DispatchRef ref) {
    return running.containsKey(ref) || ended.contains(ref);
  }

  void add(Job job) {
    running.put(job.ref(), job);
  }

  void ended(Job job) {
    DispatchRef ref = job.ref();
    ended.add(ref);
    running.remove(ref);
  }

  Job get(DispatchRef ref) {
    return running.get(ref);
  }

  Collection<Job> running() {
    return running.values();
  }

  List<DispatchRef> refs() {
    return List.copyOf(running.keySet());
  }

  boolean isEmpty() {
    return running.isEmpty();
  }
}
