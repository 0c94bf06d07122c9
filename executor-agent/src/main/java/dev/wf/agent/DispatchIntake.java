package dev.wf.agent;

import dev.wf.agent.metrics.AgentMetrics;
import dev.wf.agent.metrics.RefusalKind;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.DispatchRef;
import dev.wf.protocol.trust.Signed;
import dev.wf.protocol.trust.Verifier;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the dispatches of one pool, as a member of the pool's consumer group: verifies each, runs
 * it, refuses it with a report, or recognises a redelivery of one it runs or ran and ignores that
 * one only. Never waits for an action: the poll loop stops fetching while every slot is taken.
 */
final class DispatchIntake extends PollLoop {
  private static final Logger LOG = LoggerFactory.getLogger("wf.agent");

  private final AgentConfig config;
  private final String pool;
  private final Semaphore slots;
  private final Jobs jobs;
  private final AgentMetrics metrics;
  private final Function<Dispatch, Reporter> reporters;
  private final Consumer<Job> start;
  private final Runnable flushReports;
  private final BooleanSupplier accepting;
  private final SeenDispatches seen;

  DispatchIntake(
      AgentConfig config,
      String pool,
      Semaphore slots,
      Jobs jobs,
      AgentMetrics metrics,
      Function<Dispatch, Reporter> reporters,
      Consumer<Job> start,
      Runnable flushReports,
      BooleanSupplier accepting,
      SeenDispatches seen) {
    super(
        properties(config, pool),
        "agent " + config.id() + ": dispatch consumer of pool " + pool,
        accepting);
    this.config = config;
    this.pool = pool;
    this.slots = slots;
    this.jobs = jobs;
    this.metrics = metrics;
    this.reporters = reporters;
    this.start = start;
    this.flushReports = flushReports;
    this.accepting = accepting;
    this.seen = seen;
  }

  private static Properties properties(AgentConfig config, String pool) {
    Properties p = Agent.clientProperties(config, "wf-agent-" + config.id() + "-" + pool);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.topics().prefix() + "agents." + pool);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxConcurrent()));
    // The broker's smallest session timeout: a dead agent's partitions move to the others soon.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    // The coordinator grows a pool's topic made with fewer partitions than it uses: see the new
    // partitions within seconds, not after the default five minutes.
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, "5000");
    p.put(
        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    return p;
  }

  @Override
  protected void poll() {
    consumer.subscribe(List.of(config.topics().dispatch(pool)));
    while (accepting.getAsBoolean()) {
      if (slots.availablePermits() == 0) {
        consumer.pause(consumer.assignment());
      } else if (!consumer.paused().isEmpty()) {
        consumer.resume(consumer.paused());
      }
      Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
      Set<TopicPartition> full = new HashSet<>();
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (full.contains(tp)) {
          continue;
        }
        if (!slots.tryAcquire()) {
          // no free slot: read this record again when one is free
          consumer.seek(tp, r.offset());
          full.add(tp);
          continue;
        }
        if (!take(r)) {
          slots.release();
        }
        done.put(tp, new OffsetAndMetadata(r.offset() + 1));
      }
      if (!done.isEmpty()) {
        // Started is on the broker before the offsets are committed: a crash in between
        // re-delivers the dispatch to another agent of the pool.
        flushReports.run();
        consumer.commitAsync(done, null);
      }
    }
  }

  /** Runs the dispatch in {@code r}; false when it was not run (its slot is free again). */
  private boolean take(ConsumerRecord<String, byte[]> r) {
    String where = r.topic() + "-" + r.partition() + "@" + r.offset();
    Dispatch d;
    try {
      d = Json.read(r.value(), Dispatch.class);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "agent {}: skipped an unreadable dispatch at {}: {}", config.id(), where, e.getMessage());
      metrics.refused(pool, RefusalKind.UNREADABLE);
      return false;
    }
    if (d.runId() == null || d.dispatchId() == null) {
      LOG.warn(
          "agent {}: skipped a dispatch without runId or dispatchId at {}", config.id(), where);
      metrics.refused(pool, RefusalKind.UNREADABLE);
      return false;
    }
    Reporter report = reporters.apply(d);
    Optional<Refusal> forged = forged(r).or(() -> misplaced(d));
    Optional<Refusal> refusal = forged.isPresent() ? forged : unrunnable(d);
    if (refusal.isPresent()) {
      LOG.warn(
          "agent {}: refused dispatch {} of run {} at {}: {}",
          config.id(),
          d.dispatchId(),
          d.runId(),
          where,
          refusal.get().reason());
      metrics.refused(pool, refusal.get().kind());
      report.refused(refusal.get().reason(), forged.isEmpty());
      return false;
    }
    if (jobs.known(new DispatchRef(d.runId(), d.dispatchId()))) {
      // The very same dispatch again (a redelivery after a rebalance or a lost commit): it runs
      // or ran here already, and its reports are on their way or sent.
      LOG.info(
          "run {} step \"{}\": ignored a redelivery of dispatch {}",
          d.runId(),
          d.step(),
          d.dispatchId());
      return false;
    }
    if (!seen.firstTime(d.runId(), d.dispatchId(), d.expiresAt())) {
      // Taken by this agent before it restarted (or replayed by an offset reset): never run twice.
      // If the coordinator still waits on it, the hand-back has it dispatched afresh.
      LOG.warn(
          "run {} step \"{}\": dispatch {} was taken here before; handed back, not run again",
          d.runId(),
          d.step(),
          d.dispatchId());
      report.handedBack(
          d.attempt(), "agent " + config.id() + " took this dispatch before it restarted");
      return false;
    }
    Job job = new Job(d, report);
    jobs.add(job);
    metrics.dispatchLag(pool, System.currentTimeMillis() - r.timestamp());
    report.started(d.attempt());
    LOG.info("run {} step \"{}\" attempt {} started", d.runId(), d.step(), d.attempt());
    start.accept(job);
    return true;
  }

  /** Why a dispatch is refused, and of which kind (for the metrics). */
  private record Refusal(RefusalKind kind, String reason) {}

  /** Why the record is not the coordinator's, when dispatches are signed and it does not verify. */
  private Optional<Refusal> forged(ConsumerRecord<String, byte[]> r) {
    Verifier coordinator = config.keys().coordinator();
    if (coordinator == null) {
      return Optional.empty();
    }
    Verifier.Check c = coordinator.check(Signed.Purpose.DISPATCH, r.key(), r.value(), r.headers());
    if (c.ok()) {
      return Optional.empty();
    }
    return Optional.of(
        new Refusal(
            RefusalKind.FORGED,
            c.problem().equals("unsigned") ? "unsigned dispatch" : "dispatch " + c.problem()));
  }

  /**
   * Why a genuine dispatch is not this agent's to run: another pool's (copied to this pool's
   * topic), or past the time the coordinator waits for it (a replay). Either way nothing in it is
   * an order for this agent, so its refusal fails no step.
   */
  private Optional<Refusal> misplaced(Dispatch d) {
    if (!pool.equals(d.pool())) {
      return Optional.of(
          new Refusal(
              RefusalKind.WRONG_POOL,
              "a dispatch for pool \"" + d.pool() + "\" on the topic of pool \"" + pool + "\""));
    }
    if (d.expiresAt() != null && System.currentTimeMillis() > d.expiresAt()) {
      return Optional.of(
          new Refusal(
              RefusalKind.EXPIRED,
              "an expired dispatch (a replay, or one the coordinator gave up on)"));
    }
    return Optional.empty();
  }

  private static Optional<Refusal> unrunnable(Dispatch d) {
    return d.action() == null
        ? Optional.of(new Refusal(RefusalKind.NO_ACTION, "no action"))
        : Optional.empty();
  }
}
