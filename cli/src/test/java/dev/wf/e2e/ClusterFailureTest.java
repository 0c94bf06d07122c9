package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.broker.EmbeddedCluster;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A 3-broker cluster (replication 3, min.insync 2) loses a broker mid-run: nothing is lost. */
class ClusterFailureTest {
  @Test
  void shouldCompleteEveryRunWhenABrokerStops() throws Exception {
    Path dir = Files.createTempDirectory("wf-cluster-");
    try (EmbeddedCluster cluster = EmbeddedCluster.start(dir, 3);
        TestStack stack = new TestStack(cluster.bootstrap(), c -> c.withPartitions(3, (short) 3))) {
      stack.agent("worker", c -> c.withMaxConcurrent(50), "default");
      List<String> runs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        runs.add(stack.submit(FailoverTest.chain("Chain " + i, 12), Map.of()));
      }
      runs.add(stack.submit(FailoverTest.fanOut("Wide", 30), Map.of()));
      stack.awaitEvent(
          runs.get(0),
          e -> e.step() != null && e.step().endsWith("step 3"),
          Duration.ofSeconds(60));
      long stoppedAt = System.currentTimeMillis();
      cluster.stop(0);
      for (String runId : runs) {
        WorkflowResult r = stack.awaitResult(runId, Duration.ofSeconds(120));
        assertThat(r.status()).as(runId).isEqualTo(RunStatus.SUCCESS);
      }
      System.out.printf(
          "3 brokers, one stopped mid-run: %d runs completed %d ms after the stop%n",
          runs.size(), System.currentTimeMillis() - stoppedAt);
      assertThat(FailoverTest.countDispatches(stack).values())
          .as("no attempt dispatched twice")
          .containsOnly(1);
    }
  }
}
