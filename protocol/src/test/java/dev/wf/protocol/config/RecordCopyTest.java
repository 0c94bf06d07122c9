package dev.wf.protocol.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCopyTest {
  record Pool(String name, int size, short replicas, List<String> tags) {
    Pool {
      if (size < 1) {
        throw new IllegalArgumentException("size must be >= 1, got " + size);
      }
      tags = List.copyOf(tags);
    }
  }

  private final Pool pool = new Pool("default", 4, (short) 1, List.of("a"));

  @Test
  void shouldChangeOnlyTheNamedComponents() {
    Pool copy = RecordCopy.of(pool).with("size", 8).with("replicas", (short) 3).build();

    assertThat(copy).isEqualTo(new Pool("default", 8, (short) 3, List.of("a")));
    assertThat(pool.size()).isEqualTo(4);
  }

  @Test
  void shouldRejectACopyThatTheRecordRejects() {
    assertThatThrownBy(() -> RecordCopy.of(pool).with("size", 0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("size must be >= 1, got 0");
  }

  @Test
  void shouldNameAComponentTheRecordDoesNotHave() {
    assertThatThrownBy(() -> RecordCopy.of(pool).with("sise", 8))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Pool has no component sise");
  }

  @Test
  void shouldRejectAValueOfAnotherType() {
    assertThatThrownBy(() -> RecordCopy.of(pool).with("size", 8L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Pool.size: expected int, got 8");
    assertThatThrownBy(() -> RecordCopy.of(pool).with("size", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shouldAcceptNullForAnObjectComponent() {
    assertThat(RecordCopy.of(pool).with("name", null).build().name()).isNull();
  }
}
