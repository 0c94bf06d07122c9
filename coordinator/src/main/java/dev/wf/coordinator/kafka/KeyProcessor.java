package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.KeyKeeper;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Concurrency;
import dev.wf.protocol.kafka.TypedTopics;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.KeyRequest;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the concurrency keys: requests come keyed by key, so one task decides each key, with its
 * holder and queue in its store, in the same transaction as the answers it sends to the runs.
 */
final class KeyProcessor implements Processor<String, byte[], String, byte[]> {
  static final String STORE = "keys";
  static final String TO_OUT = "keys-to-out";
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");

  private final TypedTopics topics;
  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> keys;

  KeyProcessor(TypedTopics topics) {
    this.topics = topics;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.keys = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    KeyRequest request;
    try {
      request = topics.coordinatorKeys().read(record.value());
    } catch (SerializationException e) {
      request = null;
    }
    Concurrency.OnBusy onBusy =
        request == null || request.onBusy() == null
            ? null
            : Concurrency.OnBusy.of(request.onBusy());
    boolean acquire = request != null && KeyRequest.ACQUIRE.equals(request.type());
    if (request == null
        || request.key() == null
        || request.runId() == null
        || request.path() == null
        || (acquire && onBusy == null)
        || (!acquire && !KeyRequest.RELEASE.equals(request.type()))) {
      LOG.warn("a key request that cannot be read, dropped: {}", record.key());
      context.forward(
          Routes.deadLetter(
              topics.deadLetter().name(),
              record.key(),
              record.value(),
              "not a key request",
              topics.coordinatorKeys().name(),
              context.currentSystemTimeMs()),
          TO_OUT);
      return;
    }
    KeyKeeper.State state = load(request.key());
    KeyKeeper.Ref ref = new KeyKeeper.Ref(request.runId(), request.path());
    List<KeyKeeper.Reply> replies =
        acquire
            ? KeyKeeper.acquire(state, request.key(), ref, onBusy)
            : KeyKeeper.release(state, request.key(), ref);
    if (state.isFree()) {
      keys.delete(request.key());
    } else {
      keys.put(request.key(), Json.write(state));
    }
    for (KeyKeeper.Reply r : replies) {
      IntakeMessage answer =
          new IntakeMessage.KeyAnswer(
              r.to().runId(),
              r.to().path(),
              r.key(),
              r.answer().name().toLowerCase(Locale.ROOT),
              r.other() == null ? null : r.other().runId());
      byte[] value = topics.coordinatorRuns().write(answer);
      context.forward(
          Routes.to(
              topics.coordinatorRuns().name(),
              r.to().runId(),
              value,
              context.currentSystemTimeMs()),
          TO_OUT);
    }
  }

  private KeyKeeper.State load(String key) {
    byte[] b = keys.get(key);
    if (b == null) {
      return new KeyKeeper.State();
    }
    try {
      return Json.read(b, KeyKeeper.State.class);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("corrupt state of concurrency key " + key, e);
    }
  }
}
