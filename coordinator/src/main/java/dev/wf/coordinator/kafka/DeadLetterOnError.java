package dev.wf.coordinator.kafka;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A record the coordinator failed to process (a bug: bad input is refused by the handlers
 * themselves) goes to the dead-letter topic as it came, with the reason, and its partition goes on:
 * one record must never stop the runs behind it.
 */
public final class DeadLetterOnError implements ProcessingExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");
  private String topic;

  @Override
  public void configure(Map<String, ?> configs) {
    Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
    this.topic = t == null ? null : t.toString();
  }

  @Override
  public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception e) {
    String where = context.topic() + "-" + context.partition() + " at offset " + context.offset();
    LOG.error(
        "a record of {} failed in {} and goes to the dead-letter topic: {}",
        where,
        context.processorNodeId(),
        e.toString(),
        e);
    if (topic == null) {
      return Response.resume();
    }
    RecordHeaders headers = new RecordHeaders();
    headers.add(Routes.REASON, text("internal error in " + context.processorNodeId() + ": " + e));
    headers.add("wf.source", text(where));
    return Response.resume(
        List.of(
            new ProducerRecord<>(
                topic,
                null,
                context.timestamp(),
                context.sourceRawKey(),
                context.sourceRawValue(),
                headers)));
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
