package dev.wf.agent;

import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import dev.wf.protocol.trust.Verifier;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * How an agent proves itself and whom it believes: its own private key signs its reports and
 * heartbeats (so that only it can finish the attempts it holds, or say it is gone), and the
 * coordinator's public keys verify dispatches and cancels (so that it runs only what the
 * coordinator sent; it cannot make such a signature itself). Either may be absent only when the
 * operator said {@code --insecure}.
 *
 * @param coordinator verifies dispatches and cancel requests (null: not checked)
 * @param self signs what this agent sends (null: unsigned)
 */
public record AgentKeys(Verifier coordinator, Signer self) {
  public static AgentKeys none() {
    return new AgentKeys(null, null);
  }

  public boolean secure() {
    return coordinator != null && self != null;
  }

  /**
   * A record of {@code value} (null: a tombstone) for {@code topic}, signed when this agent signs.
   */
  ProducerRecord<String, byte[]> record(
      String topic, String key, byte[] value, Signed.Purpose purpose, long now) {
    return Signed.record(topic, key, value, purpose, self, now);
  }
}
