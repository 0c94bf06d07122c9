package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.Json;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Garbage on the intake topic (random bytes, truncated and type-confused JSON, hostile definitions)
 * mixed with valid runs: every valid run completes and the coordinator keeps going.
 */
class IntakeFuzzTest {
  private static final String VALID =
      """
      {"type":"submit","runId":"%s","definition":{"name":"Valid %s","type":"parallel","steps":[
        {"name":"A","action":{"kind":"noop","result":{"n":1}}},
        {"name":"B","type":"sequential","steps":[{"name":"C","action":{"kind":"shell","command":"echo ok"}}]}]}}
      """;

  @Test
  void shouldCompleteEveryValidRunWhateverElseArrives() throws Exception {
    Random random = new Random(20261125);
    try (TestStack stack = new TestStack()) {
      stack.agent("fuzz-agent", "default");
      List<String> valid = new ArrayList<>();
      int garbage = 0;
      for (int i = 0; i < 300; i++) {
        if (i % 15 == 0) {
          String id = "valid-" + i;
          valid.add(id);
          stack.send(id, VALID.formatted(id, i).getBytes(StandardCharsets.UTF_8));
          continue;
        }
        byte[] mutant =
            mutate(random, VALID.formatted("m-" + i, i).getBytes(StandardCharsets.UTF_8));
        stack.send(random.nextInt(4) == 0 ? null : "m-" + i, mutant);
        garbage++;
      }
      // deep nesting and an oversized definition
      stack.send("deep", deep(200).getBytes(StandardCharsets.UTF_8));
      stack.send(
          "huge",
          Json.write(
              new IntakeMessage.Submit(
                  "huge",
                  Json.MAPPER.readTree(
                      "{\"name\":\""
                          + "x".repeat(2_000_000)
                          + "\",\"action\":{\"kind\":\"noop\"}}"),
                  Map.of())));
      for (String id : valid) {
        WorkflowResult r = stack.awaitResult(id, Duration.ofSeconds(60));
        assertThat(r.success()).as(id).isTrue();
        assertThat(r.steps()).hasSize(4);
      }
      assertThat(stack.awaitEvent("huge", e -> e.reason() != null, Duration.ofSeconds(30)).reason())
          .contains("the limit is");
      assertThat(stack.awaitEvent("deep", e -> e.reason() != null, Duration.ofSeconds(30)).reason())
          .isNotBlank();
      String after = stack.submitYaml("{ name: After the fuzz, action: { kind: noop } }");
      assertThat(stack.awaitResult(after, Duration.ofSeconds(30)).success()).isTrue();
      System.out.printf(
          "intake fuzz: %d valid runs completed among %d mutated records%n", valid.size(), garbage);
    }
  }

  private static String deep(int depth) {
    StringBuilder b = new StringBuilder("{\"type\":\"submit\",\"runId\":\"deep\",\"definition\":");
    for (int i = 0; i < depth; i++) {
      b.append("{\"name\":\"g").append(i).append("\",\"type\":\"sequential\",\"steps\":[");
    }
    b.append("{\"name\":\"leaf\",\"action\":{\"kind\":\"noop\"}}");
    b.append("]}".repeat(depth)).append('}');
    return b.toString();
  }

  /** Random bytes, truncation, flipped bytes, or a JSON value of the wrong type somewhere. */
  static byte[] mutate(Random r, byte[] valid) {
    switch (r.nextInt(6)) {
      case 0 -> {
        byte[] b = new byte[1 + r.nextInt(200)];
        r.nextBytes(b);
        return b;
      }
      case 1 -> {
        return java.util.Arrays.copyOf(valid, r.nextInt(valid.length));
      }
      case 2 -> {
        byte[] b = valid.clone();
        for (int i = 0; i < 3; i++) {
          b[r.nextInt(b.length)] = (byte) r.nextInt(256);
        }
        return b;
      }
      case 3 -> {
        String s = new String(valid, StandardCharsets.UTF_8);
        String[] swaps = {
          "\"parallel\"", "\"steps\":[", "\"noop\"", "\"name\":\"A\"", "\"type\":\"submit\""
        };
        String[] with = {"42", "\"steps\":{", "[]", "\"name\":null", "\"type\":[\"submit\"]"};
        int k = r.nextInt(swaps.length);
        return s.replace(swaps[k], with[k]).getBytes(StandardCharsets.UTF_8);
      }
      case 4 -> {
        return ("{\"type\":\"cancel\",\"runId\":"
                + (r.nextBoolean() ? "123" : "\"nope-" + r.nextInt() + "\"")
                + "}")
            .getBytes(StandardCharsets.UTF_8);
      }
      default -> {
        return "null".getBytes(StandardCharsets.UTF_8);
      }
    }
  }
}
