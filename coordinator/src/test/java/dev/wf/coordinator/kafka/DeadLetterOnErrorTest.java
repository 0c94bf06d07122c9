package dev.wf.coordinator.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

/** A record the coordinator fails on is dead-lettered as it came, and its partition goes on. */
class DeadLetterOnErrorTest {
  private static final byte[] KEY = "r-1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] VALUE = "{\"type\":\"submit\"}".getBytes(StandardCharsets.UTF_8);

  private static final ErrorHandlerContext AT_OFFSET_73 =
      new ErrorHandlerContext() {
        public String topic() {
          return "wf.intake";
        }

        public int partition() {
          return 0;
        }

        public long offset() {
          return 73;
        }

        public Headers headers() {
          return new RecordHeaders();
        }

        public String processorNodeId() {
          return "triage";
        }

        public TaskId taskId() {
          return new TaskId(0, 0);
        }

        public long timestamp() {
          return 1_000;
        }

        public byte[] sourceRawKey() {
          return KEY;
        }

        public byte[] sourceRawValue() {
          return VALUE;
        }
      };

  @Test
  void shouldGoOnAndDeadLetterTheRecordAsItCameWithTheReason() {
    DeadLetterOnError handler = new DeadLetterOnError();
    handler.configure(
        Map.of(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, "wf.dead-letter"));
    ProcessingExceptionHandler.Response r =
        handler.handleError(
            AT_OFFSET_73, new Record<>("r-1", VALUE, 1_000), new NullPointerException("boom"));
    assertThat(r.result()).isEqualTo(ProcessingExceptionHandler.Result.RESUME);
    assertThat(r.deadLetterQueueRecords())
        .singleElement()
        .satisfies(this::isTheRecordWithItsReason);
  }

  private void isTheRecordWithItsReason(ProducerRecord<byte[], byte[]> dl) {
    assertThat(dl.topic()).isEqualTo("wf.dead-letter");
    assertThat(dl.key()).isEqualTo(KEY);
    assertThat(dl.value()).isEqualTo(VALUE);
    assertThat(new String(dl.headers().lastHeader("wf.reason").value(), StandardCharsets.UTF_8))
        .isEqualTo("internal error in triage: java.lang.NullPointerException: boom");
    assertThat(new String(dl.headers().lastHeader("wf.source").value(), StandardCharsets.UTF_8))
        .isEqualTo("wf.intake-0 at offset 73");
  }

  @Test
  void shouldBeTheCoordinatorsHandlerWithItsDeadLetterTopic() {
    var p =
        Coordinator.streamsProperties(
            CoordinatorConfig.defaults("localhost:9092", java.nio.file.Path.of("state")));
    assertThat(p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG))
        .isEqualTo(DeadLetterOnError.class.getName());
    assertThat(p.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG))
        .isEqualTo("wf.dead-letter");
  }
}
