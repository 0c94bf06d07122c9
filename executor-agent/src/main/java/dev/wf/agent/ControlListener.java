package dev.wf.agent;

import dev.wf.protocol.Json;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.DispatchRef;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Verifier;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the agent-control topic from its end (every agent reads all of it) and carries out the
 * cancel requests addressed to this agent, for the run and dispatch they name.
 */
final class ControlListener extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger("wf.agent");

  private final AgentConfig config;
  private final Jobs jobs;
  private final BooleanSupplier closed;

  ControlListener(AgentConfig config, Jobs jobs, BooleanSupplier closed) {
    super(
        properties(config),
        "agent " + config.id() + ": control consumer",
        () -> !closed.getAsBoolean());
    this.config = config;
    this.jobs = jobs;
    this.closed = closed;
  }

  private static Properties properties(AgentConfig config) {
    Properties p = Agent.clientProperties(config, "wf-agent-" + config.id() + "-control");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    return p;
  }

  @Override
  protected void poll() {
    List<TopicPartition> parts = new ArrayList<>();
    while (!closed.getAsBoolean() && parts.isEmpty()) {
      consumer
          .partitionsFor(config.topics().agentControl(), Duration.ofSeconds(10))
          .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
    }
    consumer.assign(parts);
    consumer.seekToEnd(parts);
    while (!closed.getAsBoolean()) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (config.id().equals(r.key()) && r.value() != null && fromCoordinator(r)) {
          obey(r.value());
        }
      }
    }
  }

  /** A cancel stops real work: only one the coordinator signed is obeyed, when it signs. */
  private boolean fromCoordinator(ConsumerRecord<String, byte[]> r) {
    Verifier coordinator = config.keys().coordinator();
    if (coordinator == null) {
      return true;
    }
    Verifier.Check c = coordinator.check(Signed.Purpose.CONTROL, r.key(), r.value(), r.headers());
    if (!c.ok()) {
      LOG.warn(
          "agent {}: ignored a control message at {}-{}@{}: {}",
          config.id(),
          r.topic(),
          r.partition(),
          r.offset(),
          c.problem());
    }
    return c.ok();
  }

  private void obey(byte[] value) {
    AgentControl c;
    try {
      c = Json.read(value, AgentControl.class);
    } catch (IOException e) {
      LOG.warn("agent {}: unreadable control message: {}", config.id(), e.getMessage());
      return;
    }
    if (!AgentControl.CANCEL.equals(c.type()) || c.runId() == null || c.dispatchId() == null) {
      return;
    }
    Job job = jobs.get(new DispatchRef(c.runId(), c.dispatchId()));
    if (job != null) {
      LOG.info(
          "run {} step \"{}\" cancel requested: {}", c.runId(), job.dispatch.step(), c.reason());
      job.cancel.cancel(c.reason());
    }
  }
}
