package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Signer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Submits runs to the intake topic and follows them on the events topic, as any other Kafka client
 * could. Open it before submitting: it only sees what is written after it opened.
 */
final class RunClient implements AutoCloseable {
  private final Topics topics;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> consumer;

  private final Signer signer;

  /**
   * @param signer signs every intake record (null: unsigned, for a coordinator run --insecure)
   */
  RunClient(String bootstrap, Topics topics, Map<String, String> props, Signer signer) {
    this.topics = topics;
    this.signer = signer;
    Map<String, String> p = new HashMap<>(props);
    // a cluster that stops answering fails a submission in 15 s, not after a minute
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    this.producer = Kafka.writer(bootstrap, p);
    this.consumer = Kafka.reader(bootstrap, props, 20);
    Kafka.assignFromEnd(consumer, topics.events());
  }

  void submit(String runId, JsonNode definition, Map<String, JsonNode> inputs) {
    send(runId, new IntakeMessage.Submit(runId, definition, inputs));
  }

  void cancel(String runId, String reason) {
    send(runId, new IntakeMessage.Cancel(runId, reason));
  }

  void rerun(String runId, String of, String from) {
    send(runId, new IntakeMessage.Rerun(runId, of, from));
  }

  void signal(String runId, String step, boolean approve, String by, String comment) {
    String decision = approve ? IntakeMessage.Signal.APPROVE : IntakeMessage.Signal.REJECT;
    send(runId, new IntakeMessage.Signal(runId, step, decision, by, comment));
  }

  private ProducerRecord<String, byte[]> record(String runId, byte[] value) {
    return Signed.record(
        topics.intake(), runId, value, Signed.Purpose.INTAKE, signer, System.currentTimeMillis());
  }

  /**
   * The first event of {@code runId} that {@code wanted} accepts, or null after {@code timeout}.
   */
  WorkflowEvent await(String runId, Predicate<WorkflowEvent> wanted, Duration timeout) {
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        WorkflowEvent e = eventOf(runId, r);
        if (e != null && wanted.test(e)) {
          return e;
        }
      }
    }
    return null;
  }

  /** The event in {@code r} when it is one of {@code runId}'s, else null. */
  private static WorkflowEvent eventOf(String runId, ConsumerRecord<String, byte[]> r) {
    if (!runId.equals(r.key()) || r.value() == null) {
      return null;
    }
    try {
      return Json.read(r.value(), WorkflowEvent.class);
    } catch (IOException | RuntimeException ex) {
      return null; // someone else's record on the topic: not ours to judge
    }
  }

  private void send(String runId, IntakeMessage msg) {
    try {
      producer.send(record(runId, Json.write(msg))).get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new UserError(
          Main.UNREACHABLE, "cannot write to " + topics.intake() + ": " + e.getMessage());
    }
  }

  /**
   * Passes each event of {@code runId} to {@code onEvent} until the run ends; returns its result,
   * or null when {@code timeout} passes first or a rejection ends the wait (then {@code rejection}
   * holds the event).
   */
  Outcome follow(String runId, Consumer<WorkflowEvent> onEvent, Duration timeout) {
    long deadline =
        timeout == null ? Long.MAX_VALUE : System.currentTimeMillis() + timeout.toMillis();
    while (System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        WorkflowEvent e = eventOf(runId, r);
        if (e == null) {
          continue;
        }
        onEvent.accept(e);
        if (e.type() == EventType.WORKFLOW_COMPLETE) {
          try {
            return new Outcome(Json.MAPPER.treeToValue(e.result(), WorkflowResult.class), null);
          } catch (IOException ex) {
            throw new UserError(
                Main.RUN_FAILED, "cannot read the result of run " + runId + ": " + ex.getMessage());
          }
        }
        if (e.type() == EventType.WORKFLOW_REJECTED || e.type() == EventType.WORKFLOW_DUPLICATE) {
          return new Outcome(null, e);
        }
      }
    }
    return new Outcome(null, null);
  }

  /**
   * How a followed run ended: its result, or the event that refused it; neither after a timeout.
   */
  record Outcome(WorkflowResult result, WorkflowEvent refusal) {
    /** Says on {@code err} why the run was refused, or sums up its result. */
    void tell(String runId, EventLines lines, PrintWriter err) {
      if (refusal != null) {
        err.println("run " + runId + " refused: " + refusal.reason());
        err.flush();
      } else if (result != null) {
        lines.summary(result);
      }
    }

    /** wf's exit code: refused 2, not ended in time 3, succeeded 0, failed or cancelled 1. */
    int exitCode() {
      if (refusal != null) {
        return Main.INVALID;
      }
      if (result == null) {
        return Main.UNREACHABLE;
      }
      return result.status() == RunStatus.SUCCESS ? Main.OK : Main.RUN_FAILED;
    }
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
    consumer.close();
  }
}
