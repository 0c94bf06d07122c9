package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.RunInfo;
import dev.wf.coordinator.engine.StepState;
import dev.wf.protocol.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The coordinator's state, typed, in its single store, and the one place that says how its keys
 * look. Every key starts with its kind's letter and U+0001; the parts of a key are joined by
 * U+0000, NUL (which a run id cannot hold). One store instead of one per kind means one changelog
 * topic: a transaction touches a few partitions instead of a few dozen, and under exactly-once
 * every partition a transaction touches costs a verification round trip and a commit marker. The
 * layout is what existing stores and changelogs hold: it must not change.
 */
final class Keyspace {
  /** The coordinator's one state store. */
  static final String STORE = "state";

  private static final char SEP = '\u0000';
  private static final String SEP_TEXT = String.valueOf(SEP);

  /** A step's state: {@code runId NUL path}. */
  record StepKey(String runId, String path) {}

  /**
   * A timer, ordered by when it is due: {@code due NUL runId NUL timerId}, the due time in
   * milliseconds as 15 digits so that the text order is the time order.
   */
  record TimerKey(long due, String runId, String timerId) {}

  /** Where to find a run's timer by its id: {@code runId NUL timerId}. */
  record TimerRef(String runId, String timerId) {}

  /** An attempt an agent said it started: {@code agent NUL runId NUL dispatchId}. */
  record AttemptKey(String agent, String runId, String dispatchId) {}

  /** Each run's summary, by run id. */
  final Table<String, RunInfo> runs;

  /** Each step's state. */
  final Table<StepKey, StepState> steps;

  /** The definition each run was submitted with (validated), by run id. */
  final Table<String, JsonNode> definitions;

  /** Timers; the key says it all. */
  final Table<TimerKey, Boolean> timers;

  /** Each timer's due time, to find its {@link TimerKey} when it is cleared or set again. */
  final Table<TimerRef, Long> timerIndex;

  /** Attempts started and not yet ended; the key says it all. */
  final Table<AttemptKey, Boolean> attempts;

  /**
   * What a run keeps beside its steps' states (a forEach group's list...): {@code runId NUL key}.
   */
  final Table<StepKey, JsonNode> runData;

  private Keyspace(
      ReadOnlyKeyValueStore<String, byte[]> read, KeyValueStore<String, byte[]> write) {
    this.runs = table("run", 'r', id -> id, id -> id, json(RunInfo.class), read, write);
    this.steps =
        table(
            "step",
            's',
            k -> k.runId() + SEP + k.path(),
            Keyspace::stepKey,
            json(StepState.class),
            read,
            write);
    this.definitions = table("definition", 'd', id -> id, id -> id, DEFINITION, read, write);
    this.runData =
        table(
            "run data",
            'f',
            k -> k.runId() + SEP + k.path(),
            Keyspace::stepKey,
            DEFINITION,
            read,
            write);
    this.timers =
        table(
            "timer",
            't',
            k -> dueText(k.due()) + SEP + k.runId() + SEP + k.timerId(),
            Keyspace::timerKey,
            PRESENT,
            read,
            write);
    this.timerIndex =
        table(
            "timer index",
            'i',
            k -> k.runId() + SEP + k.timerId(),
            Keyspace::timerRef,
            DECIMAL,
            read,
            write);
    this.attempts =
        table(
            "attempt",
            'a',
            k -> k.agent() + SEP + k.runId() + SEP + k.dispatchId(),
            Keyspace::attemptKey,
            PRESENT,
            read,
            write);
  }

  /** The state in {@code store}, for reading and writing. */
  static Keyspace of(KeyValueStore<String, byte[]> store) {
    return new Keyspace(store, store);
  }

  /** The state in {@code store}, for reading only. */
  static Keyspace readOnly(ReadOnlyKeyValueStore<String, byte[]> store) {
    return new Keyspace(store, null);
  }

  /** Visits the step states of {@code runId}, in path order. */
  void forEachStep(String runId, Consumer<Table<StepKey, StepState>.Entry> visitor) {
    steps.scanPrefix(runId + SEP, visitor);
  }

  /** Visits what {@code runId} keeps beside its steps. */
  void forEachRunData(String runId, Consumer<Table<StepKey, JsonNode>.Entry> visitor) {
    runData.scanPrefix(runId + SEP, visitor);
  }

  /** The timers due at {@code now} or before, earliest first, at most {@code max}. */
  List<TimerKey> timersDueBy(long now, int max) {
    return timers.keysUpTo(dueText(now) + '\u0001', max);
  }

  /** Every attempt started and not ended, of every agent. */
  List<AttemptKey> startedAttempts() {
    return attempts.keys("");
  }

  private static <K, V> Table<K, V> table(
      String kind,
      char letter,
      Function<K, String> keyText,
      Function<String, K> keyOf,
      Table.Codec<V> codec,
      ReadOnlyKeyValueStore<String, byte[]> read,
      KeyValueStore<String, byte[]> write) {
    return new Table<>(kind, letter + "\u0001", keyText, keyOf, codec, read, write);
  }

  private static String dueText(long due) {
    return String.format("%015d", Math.max(0, due));
  }

  private static StepKey stepKey(String text) {
    int at = text.indexOf(SEP);
    return at < 0 ? null : new StepKey(text.substring(0, at), text.substring(at + 1));
  }

  private static TimerKey timerKey(String text) {
    String[] parts = text.split(SEP_TEXT, 3);
    if (parts.length < 3) {
      return null;
    }
    try {
      return new TimerKey(Long.parseLong(parts[0]), parts[1], parts[2]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static TimerRef timerRef(String text) {
    String[] parts = text.split(SEP_TEXT, 2);
    return parts.length < 2 ? null : new TimerRef(parts[0], parts[1]);
  }

  private static AttemptKey attemptKey(String text) {
    String[] parts = text.split(SEP_TEXT, 3);
    return parts.length < 3 ? null : new AttemptKey(parts[0], parts[1], parts[2]);
  }

  private static <T> Table.Codec<T> json(Class<T> type) {
    return new Table.Codec<>() {
      @Override
      public byte[] encode(T value) {
        return Json.write(value);
      }

      @Override
      public T decode(byte[] bytes) throws IOException {
        return Json.read(bytes, type);
      }
    };
  }

  private static final Table.Codec<JsonNode> DEFINITION =
      new Table.Codec<>() {
        @Override
        public byte[] encode(JsonNode value) {
          return Json.write(value);
        }

        @Override
        public JsonNode decode(byte[] bytes) throws IOException {
          return Json.MAPPER.readTree(bytes);
        }
      };

  /** Entries whose key says it all hold no bytes (not null: a null value deletes). */
  private static final Table.Codec<Boolean> PRESENT =
      new Table.Codec<>() {
        private static final byte[] NONE = new byte[0];

        @Override
        public byte[] encode(Boolean value) {
          return NONE;
        }

        @Override
        public Boolean decode(byte[] bytes) {
          return Boolean.TRUE;
        }
      };

  /** A number as its decimal digits. */
  private static final Table.Codec<Long> DECIMAL =
      new Table.Codec<>() {
        @Override
        public byte[] encode(Long value) {
          return Long.toString(value).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Long decode(byte[] bytes) {
          return Long.parseLong(new String(bytes, StandardCharsets.UTF_8));
        }
      };
}
