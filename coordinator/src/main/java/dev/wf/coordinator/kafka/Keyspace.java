package dev.wf.coordinator.kafka;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One kind of the coordinator's state inside its single store: every key of the kind starts with
 * the kind's letter and a separator. One store instead of one per kind means one changelog topic: a
 * transaction touches a few partitions instead of a few dozen, and under exactly-once every
 * partition a transaction touches costs a verification round trip and a commit marker.
 */
final class Keyspace {
  /** The coordinator's one state store. */
  static final String STORE = "state";

  static final Keyspace RUNS = new Keyspace('r');
  static final Keyspace STEPS = new Keyspace('s');
  static final Keyspace DEFINITIONS = new Keyspace('d');
  static final Keyspace TIMERS = new Keyspace('t');
  static final Keyspace TIMER_INDEX = new Keyspace('i');
  static final Keyspace AGENT_ATTEMPTS = new Keyspace('a');

  /** What a run keeps beside its steps' states (a forEach group's list...): runId NUL key. */
  static final Keyspace RUN_DATA = new Keyspace('f');

  private static final StringSerializer KEYS = new StringSerializer();
  private final String prefix;

  private Keyspace(char kind) {
    this.prefix = kind + "\u0001";
  }

  /** This kind's part of {@code store}, for reading and writing. */
  In in(KeyValueStore<String, byte[]> store) {
    return new In(store, store);
  }

  /** This kind's part of {@code store}, for reading only. */
  In in(ReadOnlyKeyValueStore<String, byte[]> store) {
    return new In(store, null);
  }

  /** A kind's keys in one store, seen without their prefix. */
  final class In {
    private final ReadOnlyKeyValueStore<String, byte[]> read;
    private final KeyValueStore<String, byte[]> write;

    private In(ReadOnlyKeyValueStore<String, byte[]> read, KeyValueStore<String, byte[]> write) {
      this.read = read;
      this.write = write;
    }

    /** Another kind's keys in the same store. */
    In of(Keyspace other) {
      return other.new In(read, write);
    }

    byte[] get(String key) {
      return read.get(prefix + key);
    }

    void put(String key, byte[] value) {
      write.put(prefix + key, value);
    }

    void delete(String key) {
      write.delete(prefix + key);
    }

    /** Keys starting with {@code start}, in order. */
    KeyValueIterator<String, byte[]> prefixScan(String start) {
      return stripped(read.prefixScan(prefix + start, KEYS));
    }

    /** Every key of the kind, in order. */
    KeyValueIterator<String, byte[]> all() {
      return prefixScan("");
    }

    /** Keys from the first of the kind up to {@code to} (inclusive), in order. */
    KeyValueIterator<String, byte[]> upTo(String to) {
      return stripped(read.range(prefix, prefix + to));
    }

    private KeyValueIterator<String, byte[]> stripped(KeyValueIterator<String, byte[]> it) {
      int n = prefix.length();
      return new KeyValueIterator<>() {
        @Override
        public boolean hasNext() {
          return it.hasNext();
        }

        @Override
        public KeyValue<String, byte[]> next() {
          KeyValue<String, byte[]> kv = it.next();
          return KeyValue.pair(kv.key.substring(n), kv.value);
        }

        @Override
        public String peekNextKey() {
          return it.peekNextKey().substring(n);
        }

        @Override
        public void close() {
          it.close();
        }
      };
    }
  }
}
