package dev.wf.protocol.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryPolicyTest {
  @ParameterizedTest(name = "retry {0} waits {1} s")
  @CsvSource({"1, 1", "2, 2", "3, 4", "4, 8", "5, 16", "6, 30", "7, 30", "100, 30", "100000, 30"})
  void shouldDefaultToTheSeedsMinOfOneSecondTimesTwoToTheNMinusOneAndThirtySeconds(
      int retry, long seconds) {
    assertThat(RetryPolicy.DEFAULT.backoff(retry)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void shouldIgnoreTheUnitWhenThereIsNoJitter() {
    assertThat(RetryPolicy.DEFAULT.backoff(3, 0.99)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void shouldSpreadTheDelayByTheJitterFraction() {
    RetryPolicy p = new RetryPolicy(Duration.ofSeconds(10), 2.0, Duration.ofMinutes(1), 0.5);

    assertThat(p.backoff(1, 0.0)).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.backoff(1, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.backoff(1, 0.999)).isBetween(Duration.ofMillis(14_980), Duration.ofSeconds(15));
  }

  @Test
  void shouldFollowACustomPolicyUpToItsMax() {
    RetryPolicy p = new RetryPolicy(Duration.ofMillis(500), 3.0, Duration.ofSeconds(10), 0.0);

    assertThat(p.backoff(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(p.backoff(2)).isEqualTo(Duration.ofMillis(1500));
    assertThat(p.backoff(3)).isEqualTo(Duration.ofMillis(4500));
    assertThat(p.backoff(4)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void shouldRefuseRetryNumbersBelowOne() {
    assertThatThrownBy(() -> RetryPolicy.DEFAULT.backoff(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start at 1");
  }

  @Test
  void shouldRefuseAPolicyThatCannotBeFollowed() {
    Duration s = Duration.ofSeconds(1);
    assertThatThrownBy(() -> new RetryPolicy(s, 0.5, s, 0)).hasMessageContaining("multiplier");
    assertThatThrownBy(() -> new RetryPolicy(s, Double.NaN, s, 0))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> new RetryPolicy(s.multipliedBy(2), 2, s, 0))
        .hasMessageContaining("max");
    assertThatThrownBy(() -> new RetryPolicy(s, 2, s, 1.5)).hasMessageContaining("jitter");
    assertThatThrownBy(() -> new RetryPolicy(s.negated(), 2, s, 0)).hasMessageContaining("initial");
  }
}
