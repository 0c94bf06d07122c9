package dev.wf.agent;

import dev.wf.agent.action.ActionRunner;
import dev.wf.agent.action.AttemptLoop;
import dev.wf.agent.action.AttemptOutcome;
import dev.wf.agent.metrics.AgentMetrics;
import dev.wf.protocol.Json;
import dev.wf.protocol.Topics;
import dev.wf.protocol.kafka.TopicAdmin;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.DispatchRef;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.trust.Signed;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor agent: a {@link DispatchIntake} per pool takes dispatches, worker threads run them
 * (the poll loops never wait for an action, so long actions cause no rebalance), a {@link Reporter}
 * per dispatch tells the coordinator how each attempt went, a {@link ControlListener} obeys cancel
 * requests, and a heartbeat lets the coordinator judge this agent's liveness. This class owns their
 * lifecycle.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.agent");

  private final AgentConfig config;
  private final LongSupplier clock = System::currentTimeMillis;
  private final Set<String> kinds;
  private final AttemptLoop loop;
  private final AgentMetrics metrics;
  private final KafkaProducer<String, byte[]> producer;
  private final Semaphore slots;
  private final ExecutorService workers;
  private final ScheduledExecutorService heartbeats;
  private final Jobs jobs = new Jobs();
  private final List<DispatchIntake> intakes = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String host;
  private final long startedAt = clock.getAsLong();
  private ControlListener control;
  private final SeenDispatches seen;

  private Agent(AgentConfig config, AgentMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
    ActionRunner runner =
        new ActionRunner(
            config.allowedKinds(),
            config.allowedCommands(),
            config.killGrace().toMillis(),
            config.allowLinkLocal(),
            config.allowedEnv(),
            config.workdirRoot());
    this.kinds = runner.kinds();
    this.loop = new AttemptLoop(runner);
    this.slots = new Semaphore(config.maxConcurrent());
    metrics.start(slots, config.maxConcurrent(), config.pools());
    this.workers = Executors.newFixedThreadPool(config.maxConcurrent(), named("wf-action"));
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(named("wf-heartbeat"));
    this.host = hostName();
    this.seen = new SeenDispatches(config.stateDir().resolve(config.id() + ".taken"), clock);
    Properties p = clientProperties(config, "wf-agent-" + config.id());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(Topics.MAX_RECORD_BYTES));
    // Reports must outlive a broker outage: a lost Finished means the step runs again elsewhere.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(30 * 60_000));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(30 * 60_000));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Starts an agent; it takes work at once. */
  public static Agent start(AgentConfig config) {
    return start(config, AgentMetrics.discarding());
  }

  /** Starts an agent that counts what it does into {@code metrics}; it takes work at once. */
  public static Agent start(AgentConfig config, AgentMetrics metrics) {
    Agent a = new Agent(config, metrics);
    a.ensureTopics();
    for (String pool : config.pools()) {
      DispatchIntake intake =
          new DispatchIntake(
              config,
              pool,
              a.slots,
              a.jobs,
              a.metrics,
              a::reporter,
              a::run,
              a.producer::flush,
              a.accepting::get,
              a.seen);
      a.intakes.add(intake);
      a.spawn("wf-poll-" + pool, intake);
    }
    a.control = new ControlListener(config, a.jobs, a.closed::get);
    a.spawn("wf-control", a.control);
    a.heartbeats.scheduleAtFixedRate(
        a::heartbeat, 0, config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
    LOG.info(
        "agent {} on {} serving pools {} (up to {} at once)",
        config.id(),
        a.host,
        config.pools(),
        config.maxConcurrent());
    return a;
  }

  public String id() {
    return config.id();
  }

  /** True while it takes work: not stopping. */
  public boolean accepting() {
    return accepting.get();
  }

  /** The dispatches running here now. */
  public List<DispatchRef> runningDispatches() {
    return jobs.refs();
  }

  /** Client properties of every Kafka client of {@code config}'s agent, named {@code clientId}. */
  static Properties clientProperties(AgentConfig config, String clientId) {
    Properties p = new Properties();
    p.putAll(config.clientProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    return p;
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  /**
   * The pools' dispatch topics, if the coordinator has not made them yet: with the default
   * partition count (the coordinator grows them to its own) and room for large dispatches.
   */
  private void ensureTopics() {
    try (TopicAdmin admin = new TopicAdmin(config.bootstrap(), config.clientProperties())) {
      admin.ensure(
          config.pools().stream()
              .map(
                  pool ->
                      new TopicAdmin.Spec(
                          config.topics().dispatch(pool),
                          Topics.DEFAULT_PARTITIONS,
                          (short) 0,
                          TopicAdmin.LARGE))
              .toList());
    } catch (IllegalStateException e) {
      LOG.warn("agent {}: {}", config.id(), e.getMessage());
    }
  }

  private Reporter reporter(Dispatch d) {
    return new Reporter(d, config.id(), clock, this::send);
  }

  private void run(Job job) {
    job.future = workers.submit(() -> runJob(job));
  }

  private void runJob(Job job) {
    Dispatch d = job.dispatch;
    long t0 = clock.getAsLong();
    try {
      loop.run(
          d, config.workdir(), job.cancel, metrics.metered(d, kinds, clock, new Attempts(job, t0)));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("run {} step \"{}\": the agent failed: {}", d.runId(), d.step(), e.toString());
      job.report.finished(job.attempt, AttemptOutcome.failed("agent error: " + e));
    } finally {
      jobs.ended(job);
      slots.release();
    }
  }

  /** The attempt loop's reports of one job, logged and sent. */
  private final class Attempts implements AttemptLoop.Reports {
    private final Job job;
    private final Dispatch d;
    private final long t0;
    private boolean first = true;

    Attempts(Job job, long t0) {
      this.job = job;
      this.d = job.dispatch;
      this.t0 = t0;
    }

    @Override
    public void started(int attempt) {
      job.attempt = attempt;
      if (first) {
        first = false; // the intake reported the first attempt when it took the dispatch
        return;
      }
      job.report.started(attempt);
      LOG.info("run {} step \"{}\" attempt {} started", d.runId(), d.step(), attempt);
    }

    @Override
    public void retrying(int attempt, AttemptOutcome failed, long delayMs) {
      LOG.info(
          "run {} step \"{}\" attempt {} {}: {}; retry in {} ms",
          d.runId(),
          d.step(),
          attempt,
          failed.status().word(),
          failed.error(),
          delayMs);
      job.report.retrying(attempt, failed, delayMs);
    }

    @Override
    public void finished(int attempt, AttemptOutcome outcome) {
      long took = clock.getAsLong() - t0;
      if (job.handBack && outcome.status() == AttemptStatus.CANCELLED) {
        LOG.info("run {} step \"{}\" handed back (agent stopping)", d.runId(), d.step());
        job.report.handedBack(attempt, "agent " + config.id() + " is stopping");
        return;
      }
      if (outcome.status() == AttemptStatus.SUCCESS) {
        LOG.info("run {} step \"{}\" succeeded in {} ms", d.runId(), d.step(), took);
      } else {
        LOG.info(
            "run {} step \"{}\" {} after {} ms: {}",
            d.runId(),
            d.step(),
            outcome.status().word(),
            took,
            outcome.error());
      }
      job.report.finished(attempt, outcome);
    }
  }

  private void send(StepReport report) {
    producer.send(
        config
            .keys()
            .record(
                config.topics().stepEvents(),
                report.runId(),
                Json.write(report),
                Signed.Purpose.REPORT,
                clock.getAsLong()),
        (md, e) -> {
          if (e != null) {
            LOG.error(
                "agent {}: cannot report {} for run {}: {}",
                config.id(),
                report.getClass().getSimpleName(),
                report.runId(),
                e.toString());
          }
        });
  }

  // ---- liveness ----------------------------------------------------------------------------

  private void heartbeat() {
    try {
      List<AgentHeartbeat.Running> now = new ArrayList<>();
      for (Job j : jobs.running()) {
        now.add(
            new AgentHeartbeat.Running(
                j.dispatch.runId(), j.dispatch.dispatchId(), j.dispatch.path(), j.attempt));
      }
      AgentHeartbeat hb =
          new AgentHeartbeat(
              config.id(),
              host,
              config.pools(),
              config.maxConcurrent(),
              now,
              startedAt,
              clock.getAsLong(),
              config.heartbeat().toMillis(),
              !accepting.get());
      announce(Json.write(hb));
    } catch (RuntimeException e) {
      LOG.warn("agent {}: heartbeat failed: {}", config.id(), e.toString());
    }
  }

  /**
   * Writes this agent's heartbeat (or, null, its goodbye) on the agents topic, signed with a time
   * after the last one's: the coordinator takes only records newer than the last it saw of an agent
   * (an older one is a replay), so a goodbye in the same millisecond as a heartbeat still counts.
   */
  private synchronized void announce(byte[] value) {
    long at = Math.max(clock.getAsLong(), lastAnnounced + 1);
    lastAnnounced = at;
    producer.send(
        config
            .keys()
            .record(config.topics().agents(), config.id(), value, Signed.Purpose.AGENT, at));
  }

  private long lastAnnounced;

  // ---- stopping ----------------------------------------------------------------------------

  /**
   * Graceful stop: takes no new work, lets running actions finish up to the drain timeout, then
   * hands back what is left so that the coordinator dispatches it again at once.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    accepting.set(false);
    intakes.forEach(DispatchIntake::wakeup);
    if (control != null) {
      control.wakeup();
    }
    long deadline = clock.getAsLong() + config.drainTimeout().toMillis();
    while (!jobs.isEmpty() && clock.getAsLong() < deadline) {
      heartbeat();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Job job : jobs.running()) {
      job.handBack = true;
      job.cancel.cancel("agent " + config.id() + " is stopping");
    }
    workers.shutdown();
    try {
      workers.awaitTermination(config.killGrace().toMillis() + 5000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    heartbeats.shutdownNow();
    announce(null); // goodbye
    producer.flush();
    producer.close(Duration.ofSeconds(5));
    seen.close();
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("agent {} stopped", config.id());
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
