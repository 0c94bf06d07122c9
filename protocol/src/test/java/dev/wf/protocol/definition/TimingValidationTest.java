package dev.wf.protocol.definition;

import static dev.wf.protocol.definition.Definitions.errors;
import static dev.wf.protocol.definition.Definitions.leaf;
import static dev.wf.protocol.definition.Definitions.leafWith;
import static dev.wf.protocol.definition.Definitions.validate;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.protocol.definition.WorkflowValidator.Validation;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Timeouts and backoff as a definition writes them. */
class TimingValidationTest {

  @Nested
  class Timeouts {
    @ParameterizedTest(name = "timeout: {0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "1500           | PT1.5S",
          "500ms          | PT0.5S",
          "10s            | PT10S",
          "1.5s           | PT1.5S",
          "5m             | PT5M",
          "1h             | PT1H",
          "1h30m          | PT1H30M",
          "\"250\"        | PT0.25S"
        })
    void shouldReadATimeoutAsMillisecondsOrADurationString(String written, Duration expected) {
      Validation v = validate(leafWith("action: { kind: noop }", "timeout: " + written));

      assertThat(leaf(v, 0).timeout()).isEqualTo(expected);
    }

    @Test
    void shouldDefaultToFiveMinutesPerAttemptAndLeaveTheStartTimeoutToTheCoordinator() {
      Leaf leaf = leaf(validate(leafWith("action: { kind: noop }")), 0);

      assertThat(leaf.timeout()).isEqualTo(Duration.ofMinutes(5));
      assertThat(leaf.startTimeout()).isEmpty();
    }

    @ParameterizedTest(name = "timeout: {0}")
    @ValueSource(
        strings = {
          "10 parsecs",
          "ten seconds",
          "10 s",
          "1h 30m",
          "-5s",
          "5x",
          "1.s",
          "1e3ms",
          "\"\""
        })
    void shouldRefuseATimeoutThatIsNotADuration(String written) {
      Validation v = validate(leafWith("action: { kind: noop }", "timeout: " + written));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith("steps[0].timeout: \"")
          .endsWith("\" is not a duration (use milliseconds, or a string like 500ms, 10s, 5m, 1h)");
    }

    @Test
    void shouldRefuseNumbersThatAreNotWholePositiveMilliseconds() {
      Validation v =
          validate(
              """
              name: Root
              steps:
                - { name: A, timeout: -1, action: { kind: noop } }
                - { name: B, timeout: 1.5, action: { kind: noop } }
                - { name: C, timeout: 0, action: { kind: noop } }
                - { name: D, startTimeout: 0s, action: { kind: noop } }
                - { name: E, timeout: 31d, action: { kind: noop } }
              """);

      assertThat(errors(v))
          .containsExactly(
              "steps[0].timeout: the number -1 is not a duration (use milliseconds, or a string"
                  + " like 500ms, 10s, 5m, 1h)",
              "steps[1].timeout: the number 1.5 is not a duration (use milliseconds, or a string"
                  + " like 500ms, 10s, 5m, 1h)",
              "steps[2].timeout: must be more than 0",
              "steps[3].startTimeout: must be more than 0",
              "steps[4].timeout: must be at most 30 days");
    }
  }

  @Nested
  class Backoff {
    @Test
    void shouldUseTheSeedsBackoffByDefault() {
      Leaf leaf = leaf(validate(leafWith("action: { kind: noop }", "retries: 3")), 0);

      assertThat(leaf.retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
    }

    @Test
    void shouldBuildTheBackoffOfTheDefinition() {
      Validation v =
          validate(
              leafWith(
                  "action: { kind: noop }",
                  "retries: 3",
                  "backoff: { initial: 500ms, multiplier: 3, max: 10s, jitter: 0.2 }"));

      RetryPolicy p = leaf(v, 0).retryPolicy();
      assertThat(p)
          .isEqualTo(new RetryPolicy(Duration.ofMillis(500), 3.0, Duration.ofSeconds(10), 0.2));
      assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void shouldKeepTheDefaultsOfFieldsLeftOut() {
      Validation v = validate(leafWith("action: { kind: noop }", "backoff: { initial: 2s }"));

      assertThat(leaf(v, 0).retryPolicy())
          .isEqualTo(new RetryPolicy(Duration.ofSeconds(2), 2.0, Duration.ofSeconds(30), 0.0));
    }

    @Test
    void shouldRefuseEveryBadBackoffField() {
      Validation v =
          validate(
              leafWith(
                  "action: { kind: noop }",
                  "backoff: { initial: soon, multiplier: 0.5, max: 1m, jitter: 2, intial: 1s }"));

      assertThat(errors(v))
          .containsExactly(
              "steps[0].backoff.intial: unknown field (did you mean 'initial'?); expected one of"
                  + " initial, jitter, max, multiplier",
              "steps[0].backoff.initial: \"soon\" is not a duration (use milliseconds, or a string"
                  + " like 500ms, 10s, 5m, 1h)",
              "steps[0].backoff.multiplier: must be a number from 1 to 1000, found the number 0.5",
              "steps[0].backoff.jitter: must be a number from 0 to 1, found the number 2");
    }

    @Test
    void shouldRefuseAMaxBelowInitial() {
      Validation v =
          validate(leafWith("action: { kind: noop }", "backoff: { initial: 1m, max: 10s }"));

      assertThat(errors(v))
          .containsExactly("steps[0].backoff.max: must not be less than initial (1m)");
    }

    @Test
    void shouldRefuseABackoffThatIsNotAMapping() {
      Validation v = validate(leafWith("action: { kind: noop }", "backoff: 5s"));

      assertThat(errors(v))
          .singleElement()
          .asString()
          .startsWith(
              "steps[0].backoff: must be a mapping like { initial: 1s, multiplier: 2, max: 30s,"
                  + " jitter: 0 }");
    }

    @Test
    void shouldAllowAZeroInitialBackoff() {
      Validation v =
          validate(leafWith("action: { kind: noop }", "backoff: { initial: 0, max: 0 }"));

      assertThat(leaf(v, 0).retryPolicy().backoff(3)).isEqualTo(Duration.ZERO);
    }
  }
}
