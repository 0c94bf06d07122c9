package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.cli.dashboard.RunControl;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The one path by which the CLI writes to the intake topic: {@code wf submit}, {@code wf cancel},
 * {@code wf approve}, {@code wf rerun}, {@code wf run} and the dashboard's buttons all send their
 * messages through it, so that what is added to those messages (e.g. a submitter's signature) is
 * added for all of them.
 */
final class IntakeWriter implements RunControl, AutoCloseable {
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final Signer signer;

  /**
   * @param signer signs every intake record (null: unsigned, for a coordinator run --insecure)
   */
  IntakeWriter(String bootstrap, Topics topics, Map<String, String> props, Signer signer) {
    this.topics = topics;
    this.signer = signer;
    Map<String, String> p = new HashMap<>(props);
    // a cluster that stops answering fails a submission in 15 s, not after a minute
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    this.producer = Kafka.writer(bootstrap, p);
  }

  void submit(String runId, JsonNode definition, Map<String, JsonNode> inputs) {
    send(runId, new IntakeMessage.Submit(runId, definition, inputs));
  }

  @Override
  public void cancel(String runId, String reason) {
    send(runId, new IntakeMessage.Cancel(runId, reason));
  }

  void rerun(String runId, String of, String from) {
    send(runId, new IntakeMessage.Rerun(runId, of, from));
  }

  @Override
  public void signal(String runId, String step, boolean approve, String by, String comment) {
    String decision = approve ? IntakeMessage.Signal.APPROVE : IntakeMessage.Signal.REJECT;
    send(runId, new IntakeMessage.Signal(runId, step, decision, by, comment));
  }

  private void send(String runId, IntakeMessage msg) {
    try {
      producer.send(record(runId, Json.write(msg))).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new UserError(
          Main.UNREACHABLE, "cannot write to " + topics.intake() + ": " + e.getMessage());
    }
  }

  private ProducerRecord<String, byte[]> record(String runId, byte[] value) {
    return Signed.record(
        topics.intake(), runId, value, Signed.Purpose.INTAKE, signer, System.currentTimeMillis());
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }
}
