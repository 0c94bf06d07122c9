package dev.wf.protocol.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.StepReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TypedTopicsTest {
  final TypedTopics topics = new TypedTopics(new Topics("t."));

  @Test
  void shouldWriteTheSameBytesAsBeforeSoRecordsAlreadyOnTopicsStillRead() throws IOException {
    StepReport report = new StepReport.Started("r1", "1:A", 1, "a1", 5);
    byte[] bytes = topics.stepEvents().write(report);
    assertThat(bytes).isEqualTo(Json.write(report));
    assertThat(topics.stepEvents().read(Json.write(report))).isEqualTo(report);
    IntakeMessage cancel = new IntakeMessage.Cancel("r1", "enough");
    assertThat(new String(topics.intake().write(cancel), StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"cancel\",\"runId\":\"r1\",\"reason\":\"enough\"}");
  }

  @Test
  void shouldRefuseBytesThatAreNotTheTopicsValueWithTheParsersOwnMessage() {
    byte[] bad = "{oops".getBytes(StandardCharsets.UTF_8);
    Throwable parser = catchThrowable(() -> Json.read(bad, StepReport.class));
    assertThat(parser).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> topics.stepEvents().read(bad))
        .isInstanceOf(SerializationException.class)
        .hasMessage(parser.getMessage());
  }

  @Test
  void shouldKeepTombstonesAsNull() {
    assertThat(topics.agents().read(null)).isNull();
    assertThat(topics.agents().write(null)).isNull();
  }
}
