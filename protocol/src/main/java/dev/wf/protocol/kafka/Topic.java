package dev.wf.protocol.kafka;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with what it carries: its name, and the serdes of its keys and values.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
  }

  /** The bytes of {@code value} on this topic. */
  public byte[] write(V value) {
    return valueSerde.serializer().serialize(name, value);
  }

  /**
   * The value {@code bytes} hold on this topic.
   *
   * @throws org.apache.kafka.common.errors.SerializationException when they hold none
   */
  public V read(byte[] bytes) {
    return valueSerde.deserializer().deserialize(name, bytes);
  }
}
