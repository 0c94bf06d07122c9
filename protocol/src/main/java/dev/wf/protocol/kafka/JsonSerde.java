package dev.wf.protocol.kafka;

import dev.wf.protocol.Json;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A value as wf's JSON, through the one configured mapper ({@link Json#MAPPER}): it writes exactly
 * the bytes {@link Json#write} writes, so records written before and after it are the same.
 *
 * <p>Bytes that are not a {@code T} fail with a {@link SerializationException} whose message is the
 * parser's own, unchanged: a processor that refuses such a record quotes it to the user. A consumer
 * that must survive a bad record (every wf consumer) reads bytes and calls {@link #deserialize}
 * itself rather than handing this serde to the client, which would stop at the record.
 */
public final class JsonSerde<T> implements Serde<T>, Serializer<T>, Deserializer<T> {
  private final Class<T> type;

  private JsonSerde(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  public Class<T> type() {
    return type;
  }

  /** The value's JSON; null (a tombstone) for null. */
  @Override
  public byte[] serialize(String topic, T data) {
    return data == null ? null : Json.write(data);
  }

  /**
   * The {@code T} in {@code data}; null for null (a tombstone).
   *
   * @throws SerializationException when the bytes are not a {@code T}, with the parser's message
   */
  @Override
  public T deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    try {
      return Json.read(data, type);
    } catch (IOException e) {
      throw new SerializationException(e.getMessage(), e);
    }
  }

  @Override
  public Serializer<T> serializer() {
    return this;
  }

  @Override
  public Deserializer<T> deserializer() {
    return this;
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    // nothing to configure: the mapper is the project's one
  }

  @Override
  public void close() {
    // holds nothing
  }
}
