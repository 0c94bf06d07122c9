package dev.wf.e2e;

import dev.wf.protocol.Json;
import dev.wf.protocol.message.Dispatch;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Loaded into a coordinator process through its Kafka client properties ({@code
 * producer.interceptor.classes}): once the coordinator has handed the first dispatch of a parallel
 * group to its producer, the next write of the same transaction stalls its stream thread for {@link
 * #HOLD_MS}, as a slow disk or a long garbage collection would. The dispatch is on the broker by
 * then (the producer's own thread sends it), the transaction that carries it is not committed, so a
 * kill -9 in that window lands with the transaction open. Without it the window is a millisecond:
 * the coordinator commits as soon as its input runs dry, whatever its commit interval.
 */
public final class HoldOpenTransaction implements ProducerInterceptor<byte[], byte[]> {
  /** Printed to the process's output with the run id and step path when the hold begins. */
  static final String HOLDING = "holding the transaction open after the dispatch of";

  /**
   * Under the transaction timeout (10 s), so that an instance the test does not kill only pauses.
   */
  static final long HOLD_MS = 5_000;

  private static final AtomicReference<Dispatch> ARMED = new AtomicReference<>();
  private static final AtomicBoolean HELD = new AtomicBoolean();

  @Override
  public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
    Dispatch armed = ARMED.get();
    if (armed != null && HELD.compareAndSet(false, true)) {
      System.out.println(HOLDING + " " + armed.runId() + " " + armed.path());
      System.out.flush();
      try {
        Thread.sleep(HOLD_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    } else if (armed == null && record.topic().contains(".dispatch.")) {
      Dispatch d = dispatch(record.value());
      if (d.path().contains(".parallel[")) {
        ARMED.set(d);
      }
    }
    return record;
  }

  private static Dispatch dispatch(byte[] value) {
    try {
      return Json.read(value, Dispatch.class);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void onAcknowledgement(RecordMetadata metadata, Exception exception) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
