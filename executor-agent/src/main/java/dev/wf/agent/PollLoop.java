package dev.wf.agent;

import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread of the agent that polls one consumer until the agent stops. A wakeup is how it is told
 * to stop; any other failure is logged, unless the agent is stopping anyway.
 */
abstract class PollLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.agent");

  protected final KafkaConsumer<String, byte[]> consumer;
  private final String name;
  private final BooleanSupplier running;

  /**
   * A loop on a consumer made of {@code consumerProperties}; {@code name} says whose it is in the
   * log ({@code agent a1: control consumer}), {@code running} turns false once the agent stops.
   */
  PollLoop(Properties consumerProperties, String name, BooleanSupplier running) {
    this.consumer =
        new KafkaConsumer<>(
            consumerProperties, new StringDeserializer(), new ByteArrayDeserializer());
    this.name = name;
    this.running = running;
  }

  /** Stops the poll loop from another thread. */
  final void wakeup() {
    consumer.wakeup();
  }

  @Override
  public final void run() {
    try (consumer) {
      poll();
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      if (running.getAsBoolean()) {
        LOG.error("{} failed: {}", name, e.toString());
      }
    }
  }

  /** Polls while {@code running}; returns when the agent stops. */
  protected abstract void poll();
}
