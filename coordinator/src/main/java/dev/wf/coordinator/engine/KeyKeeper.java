package dev.wf.coordinator.engine;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.wf.protocol.definition.Concurrency;
import java.util.ArrayList;
import java.util.List;

/**
 * The keeper of one concurrency key: at most one holder, and the steps waiting in arrival order
 * (one that cancels the holder waits first). Pure: the shell keeps one {@link State} per key, on
 * the partition of the key, so that every request for a key is decided by one writer.
 */
public final class KeyKeeper {
  private KeyKeeper() {}

  /** What the keeper tells a step. */
  public enum Answer {
    /** The step holds the key and may start. */
    GRANTED,
    /** The step waits behind {@code other}. */
    QUEUED,
    /** The key is held by {@code other} and the step does not wait (onBusy: fail). */
    REFUSED,
    /**
     * The holder is asked to stop: {@code other} takes the key after it (onBusy: cancel-running).
     */
    PREEMPTED
  }

  /** A step of a run: who holds or waits. */
  public record Ref(String runId, String path) {
    @Override
    public String toString() {
      return "run " + runId;
    }
  }

  /** An answer for {@code to}. */
  public record Reply(Ref to, Answer answer, String key, Ref other) {}

  /** One key's holder and queue, as stored. */
  @JsonAutoDetect(
      fieldVisibility = JsonAutoDetect.Visibility.ANY,
      getterVisibility = JsonAutoDetect.Visibility.NONE,
      isGetterVisibility = JsonAutoDetect.Visibility.NONE)
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public static final class State {
    Ref holder;
    List<Ref> queue = new ArrayList<>();

    public boolean isFree() {
      return holder == null && queue.isEmpty();
    }

    public Ref holder() {
      return holder;
    }

    public List<Ref> queue() {
      return List.copyOf(queue);
    }
  }

  /** {@code ref} asks for {@code key}; the state changes in place. */
  public static List<Reply> acquire(State state, String key, Ref ref, Concurrency.OnBusy onBusy) {
    if (state.holder == null) {
      state.holder = ref;
      return List.of(new Reply(ref, Answer.GRANTED, key, null));
    }
    if (state.holder.equals(ref)) {
      return List.of(new Reply(ref, Answer.GRANTED, key, null)); // asked again: a replay
    }
    if (state.queue.contains(ref)) {
      return List.of();
    }
    return switch (onBusy) {
      case FAIL -> List.of(new Reply(ref, Answer.REFUSED, key, state.holder));
      case QUEUE -> {
        state.queue.add(ref);
        yield List.of(new Reply(ref, Answer.QUEUED, key, state.holder));
      }
      case CANCEL_RUNNING -> {
        state.queue.add(0, ref);
        yield List.of(
            new Reply(state.holder, Answer.PREEMPTED, key, ref),
            new Reply(ref, Answer.QUEUED, key, state.holder));
      }
    };
  }

  /** {@code ref} ended: it holds or waits no more; the next in line gets the key. */
  public static List<Reply> release(State state, String key, Ref ref) {
    if (ref.equals(state.holder)) {
      state.holder = state.queue.isEmpty() ? null : state.queue.remove(0);
      return state.holder == null
          ? List.of()
          : List.of(new Reply(state.holder, Answer.GRANTED, key, null));
    }
    state.queue.remove(ref);
    return List.of();
  }
}
