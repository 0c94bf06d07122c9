package dev.wf.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wf.broker.EmbeddedBroker;
import dev.wf.protocol.result.RunStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker is not there when the services start, then goes away for a while: work resumes. */
class BrokerOutageTest {
  @Test
  void shouldWaitForTheBrokerAndResumeAfterAnOutage() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String bootstrap = "localhost:" + port;
    Path dir = Files.createTempDirectory("wf-outage-");
    String prefix = "outage.";
    TestKeys keys = TestKeys.in(dir.resolve("keys"));
    try (Child coordinator =
            Child.start(
                dir.resolve("coordinator.log"),
                "coordinator",
                "--bootstrap",
                bootstrap,
                "--topic-prefix",
                prefix,
                "--state-dir",
                dir.resolve("state").toString(),
                "--http-port",
                "0",
                "--signing-key",
                keys.key("coordinator").toString(),
                "--trust",
                keys.trustFile.toString());
        Child agent =
            Child.start(
                dir.resolve("agent.log"),
                "agent",
                "--bootstrap",
                bootstrap,
                "--topic-prefix",
                prefix,
                "--id",
                "outage-agent",
                "--workdir",
                dir.toString(),
                "--coordinator-key",
                keys.pub("coordinator").toString(),
                "--agent-key",
                keys.key("agents").toString())) {
      long deadline = System.currentTimeMillis() + 60_000;
      while (!(coordinator.log().contains("does not answer")
              && agent.log().contains("does not answer"))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(coordinator.log())
          .contains("Kafka at " + bootstrap + " does not answer; trying again in 1 s");
      assertThat(coordinator.alive()).as("no crash loop: the coordinator waits").isTrue();
      assertThat(agent.alive()).isTrue();
      assertThat(coordinator.log()).doesNotContain("Exception");

      EmbeddedBroker broker = EmbeddedBroker.start(dir.resolve("broker"), port, "localhost");
      try (TestStack client =
          TestStack.clientOnly(bootstrap, new dev.wf.protocol.Topics(prefix), keys)) {
        String runId = client.submit(FailoverTest.chain("Through an outage", 12), Map.of());
        client.awaitEvent(
            runId, e -> e.step() != null && e.step().endsWith("step 2"), Duration.ofSeconds(120));
        broker.close();
        Thread.sleep(8_000); // the outage itself: the scenario's length, not a wait for a result
        broker = EmbeddedBroker.start(dir.resolve("broker"), port, "localhost");
        WorkflowResult r = client.awaitResult(runId, Duration.ofSeconds(180));
        assertThat(r.status()).isEqualTo(RunStatus.SUCCESS);
        assertThat(r.steps()).hasSize(13);
        assertThat(coordinator.alive()).isTrue();
      } finally {
        broker.close();
      }
    }
  }
}
