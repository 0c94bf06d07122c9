package dev.wf.protocol.definition;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
  @ParameterizedTest(name = "{0} = {1} ms")
  @CsvSource({
    "250, 250",
    "500ms, 500",
    "10s, 10000",
    "1.5s, 1500",
    "5m, 300000",
    "1h, 3600000",
    "1h30m, 5400000",
    "2d, 172800000",
    "1m30s500ms, 90500",
    "' 10s ', 10000"
  })
  void shouldParseMillisecondsAndUnits(String text, long millis) {
    assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(
      strings = {
        "",
        "ms",
        "10 parsecs",
        "10 s",
        "1h 30m",
        "-5s",
        "1.s",
        ".5s",
        "1e3ms",
        "5x",
        "10S",
        "99999999999999999999"
      })
  void shouldRefuseWhatIsNotADuration(String text) {
    assertThat(Durations.parse(text)).isEmpty();
  }

  @ParameterizedTest(name = "{0} ms is written {1}")
  @CsvSource({"1500, 1500ms", "10000, 10s", "300000, 5m", "5400000, 90m", "7200000, 2h", "0, 0ms"})
  void shouldWriteTheShortestForm(long millis, String text) {
    assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    assertThat(Durations.parse(text)).contains(Duration.ofMillis(millis));
  }
}
