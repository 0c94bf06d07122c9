package dev.wf.coordinator.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One kind of entry in the coordinator's store, typed: keys of type {@code K} laid out as strings
 * after the kind's prefix, values of type {@code V} through their codec. {@link Keyspace} says
 * which kinds there are and how their keys look.
 */
final class Table<K, V> {
  /** How a kind's values are stored. */
  interface Codec<V> {
    byte[] encode(V value);

    V decode(byte[] bytes) throws IOException;
  }

  /** An entry met in a scan; its value is decoded only when asked for (most scans skip many). */
  final class Entry {
    private final K key;
    private final byte[] bytes;

    private Entry(K key, byte[] bytes) {
      this.key = key;
      this.bytes = bytes;
    }

    K key() {
      return key;
    }

    V value() {
      return decode(key, bytes);
    }
  }

  /** A value with the bytes it was read from, to tell later whether it changed. */
  record Stored<V>(V value, byte[] bytes) {}

  private static final StringSerializer KEYS = new StringSerializer();

  private final String kind;
  private final String prefix;
  private final Function<K, String> keyText;
  private final Function<String, K> keyOf;
  private final Codec<V> codec;
  private final ReadOnlyKeyValueStore<String, byte[]> read;
  private final KeyValueStore<String, byte[]> write;

  /**
   * @param keyOf the key a stored key text stands for, or null when it stands for none
   * @param write the same store as {@code read}, or null for a read-only view
   */
  Table(
      String kind,
      String prefix,
      Function<K, String> keyText,
      Function<String, K> keyOf,
      Codec<V> codec,
      ReadOnlyKeyValueStore<String, byte[]> read,
      KeyValueStore<String, byte[]> write) {
    this.kind = kind;
    this.prefix = prefix;
    this.keyText = keyText;
    this.keyOf = keyOf;
    this.codec = codec;
    this.read = read;
    this.write = write;
  }

  /**
   * The value under {@code key}, or null.
   *
   * @throws UncheckedIOException when the stored bytes do not decode (a corrupt store)
   */
  V get(K key) {
    byte[] b = read.get(prefix + keyText.apply(key));
    return b == null ? null : decode(key, b);
  }

  /** The value under {@code key} with its bytes, or null; throws as {@link #get} does. */
  Stored<V> getStored(K key) {
    byte[] b = read.get(prefix + keyText.apply(key));
    return b == null ? null : new Stored<>(decode(key, b), b);
  }

  void put(K key, V value) {
    write.put(prefix + keyText.apply(key), codec.encode(value));
  }

  /**
   * Writes {@code value} unless it encodes to the bytes it was read from ({@code asRead}, null when
   * it was not read): an unchanged value costs no changelog record.
   */
  void putIfChanged(K key, V value, byte[] asRead) {
    byte[] b = codec.encode(value);
    if (!Arrays.equals(b, asRead)) {
      write.put(prefix + keyText.apply(key), b);
    }
  }

  void delete(K key) {
    write.delete(prefix + keyText.apply(key));
  }

  /** Visits, in key order, the entries whose key text starts with {@code start}. */
  void scanPrefix(String start, Consumer<Entry> visitor) {
    try (KeyValueIterator<String, byte[]> it = read.prefixScan(prefix + start, KEYS)) {
      visit(it, Integer.MAX_VALUE, visitor);
    }
  }

  /** The keys from the kind's first up to key text {@code to} (inclusive), at most {@code max}. */
  List<K> keysUpTo(String to, int max) {
    List<K> keys = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = read.range(prefix, prefix + to)) {
      visit(it, max, e -> keys.add(e.key()));
    }
    return keys;
  }

  /** Every key of the kind whose key text starts with {@code start}, in order. */
  List<K> keys(String start) {
    List<K> keys = new ArrayList<>();
    scanPrefix(start, e -> keys.add(e.key()));
    return keys;
  }

  private void visit(KeyValueIterator<String, byte[]> it, int max, Consumer<Entry> visitor) {
    int n = prefix.length();
    int seen = 0;
    while (it.hasNext() && seen < max) {
      KeyValue<String, byte[]> kv = it.next();
      K key = keyOf.apply(kv.key.substring(n));
      // A key no layout wrote (nothing but this class writes the store) is left alone.
      if (key != null) {
        seen++;
        visitor.accept(new Entry(key, kv.value));
      }
    }
  }

  private V decode(K key, byte[] bytes) {
    try {
      return codec.decode(bytes);
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "corrupt " + kind + " entry " + key + ": " + e.getMessage(),
          e instanceof IOException io ? io : new IOException(e));
    }
  }
}
