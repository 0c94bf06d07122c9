package dev.wf.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The reader of the dashboard's queries: it finds every series and nothing else. */
class PromQlTest {

  @Test
  void shouldFindTheSeriesInsideFunctionsAggregationsAndMatchers() {
    assertThat(
            PromQl.series(
                "histogram_quantile(0.95, sum by (le, pool) (rate(wf_agent_dispatch_lag_seconds_bucket{pool=~\"$pool\", job=\"wf-agent\"}[$__rate_interval])))"))
        .containsExactly("wf_agent_dispatch_lag_seconds_bucket");
  }

  @Test
  void shouldFindEverySeriesOfABinaryExpression() {
    assertThat(
            PromQl.series(
                "sum(rate(wf_run_duration_seconds_sum[5m])) / sum without (status) (rate(wf_run_duration_seconds_count[5m] offset 1h)) > bool 1e3"))
        .containsExactly("wf_run_duration_seconds_count", "wf_run_duration_seconds_sum");
  }

  @Test
  void shouldKeepAMadeUpNameSoThatItCanBeFoundMissing() {
    assertThat(PromQl.series("sum by (reason) (increase(wf_agent_refusalz_total[1h]))"))
        .containsExactly("wf_agent_refusalz_total");
  }

  @Test
  void shouldIgnoreLabelValuesThatLookLikeNames() {
    assertThat(
            PromQl.series(
                "sum(wf_agent_slots_running{instance=\"agent_1:9464\"}) or on (instance) vector(0)"))
        .containsExactly("wf_agent_slots_running");
  }
}
