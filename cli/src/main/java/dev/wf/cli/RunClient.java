package dev.wf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import dev.wf.protocol.trust.Signer;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Submits runs to the intake topic and follows them on the events topic, as any other Kafka client
 * could. Open it before submitting: it only sees what is written after it opened.
 */
final class RunClient implements AutoCloseable {
  private final IntakeWriter intake;
  private final KafkaConsumer<String, byte[]> consumer;

  /**
   * @param signer signs every intake record (null: unsigned, for a coordinator run --insecure)
   */
  RunClient(String bootstrap, Topics topics, Map<String, String> props, Signer signer) {
    this.intake = new IntakeWriter(bootstrap, topics, props, signer);
    this.consumer = Kafka.reader(bootstrap, props, 20);
    Kafka.assignFromEnd(consumer, topics.events());
  }

  void submit(String runId, JsonNode definition, Map<String, JsonNode> inputs) {
    intake.submit(runId, definition, inputs);
  }

  void cancel(String runId, String reason) {
    intake.cancel(runId, reason);
  }

  void rerun(String runId, String of, String from) {
    intake.rerun(runId, of, from);
  }

  void signal(String runId, String step, boolean approve, String by, String comment) {
    intake.signal(runId, step, approve, by, comment);
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
    intake.close();
    consumer.close();
  }
}
