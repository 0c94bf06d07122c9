package dev.wf.agent;

import dev.wf.agent.action.ActionRunner;
import dev.wf.agent.action.AttemptLoop;
import dev.wf.agent.action.AttemptOutcome;
import dev.wf.agent.action.Cancellation;
import dev.wf.protocol.Json;
import dev.wf.protocol.Signatures;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.DispatchRef;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor agent: takes dispatches of its pools from Kafka, runs them on worker threads (the
 * poll loops never wait for an action, so long actions cause no rebalance), reports each attempt,
 * obeys cancel requests and heartbeats so that the coordinator can judge its liveness.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger("wf.agent");

  /** How many ended dispatches an agent remembers, to recognise a redelivery of one of them. */
  static final int RECENTLY_ENDED = 10_000;

  private final AgentConfig config;
  private final AttemptLoop loop;
  private final KafkaProducer<String, byte[]> producer;
  private final Semaphore slots;
  private final ExecutorService workers;
  private final ScheduledExecutorService heartbeats;
  private final List<Thread> threads = new ArrayList<>();
  private final List<KafkaConsumer<String, byte[]>> consumers = new ArrayList<>();
  private final Map<DispatchRef, Job> running = new ConcurrentHashMap<>();
  private final RecentlyEnded ended = new RecentlyEnded(RECENTLY_ENDED);
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final String host;
  private final long startedAt = System.currentTimeMillis();

  /** One dispatch being run here. */
  private static final class Job {
    final Dispatch dispatch;
    final Cancellation cancel = new Cancellation();
    volatile boolean handBack;
    volatile int attempt;
    Future<?> future;

    Job(Dispatch dispatch) {
      this.dispatch = dispatch;
      this.attempt = dispatch.attempt();
    }
  }

  private Agent(AgentConfig config) {
    this.config = config;
    this.loop =
        new AttemptLoop(
            new ActionRunner(
                config.allowedKinds(), config.allowedCommands(), config.killGrace().toMillis()));
    this.slots = new Semaphore(config.maxConcurrent());
    this.workers = Executors.newFixedThreadPool(config.maxConcurrent(), named("wf-action"));
    this.heartbeats = Executors.newSingleThreadScheduledExecutor(named("wf-heartbeat"));
    this.host = hostName();
    Properties p = common();
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * 1024 * 1024));
    // Reports must outlive a broker outage: a lost Finished means the step runs again elsewhere.
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(30 * 60_000));
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Integer.toString(30 * 60_000));
    this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  /** Starts an agent; it takes work at once. */
  public static Agent start(AgentConfig config) {
    Agent a = new Agent(config);
    a.ensureTopics();
    for (String pool : config.pools()) {
      a.spawn("wf-poll-" + pool, () -> a.pollDispatches(pool));
    }
    a.spawn("wf-control", a::pollControl);
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

  /** The dispatches running here now. */
  public List<DispatchRef> runningDispatches() {
    return List.copyOf(running.keySet());
  }

  private void spawn(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private Properties common() {
    Properties p = new Properties();
    p.putAll(config.clientProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrap());
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "wf-agent-" + config.id());
    return p;
  }

  private void ensureTopics() {
    Properties p = common();
    p.remove(ProducerConfig.CLIENT_ID_CONFIG);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    try (Admin admin = Admin.create(p)) {
      List<NewTopic> topics = new ArrayList<>();
      for (String pool : config.pools()) {
        topics.add(
            new NewTopic(
                config.topics().dispatch(pool),
                java.util.Optional.empty(),
                java.util.Optional.empty()));
      }
      admin
          .createTopics(topics)
          .values()
          .forEach(
              (name, f) -> {
                try {
                  f.get(30, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                  if (!(e.getCause() instanceof TopicExistsException)) {
                    LOG.warn("cannot create topic {}: {}", name, e.getCause().getMessage());
                  }
                } catch (Exception e) {
                  LOG.warn("cannot create topic {}: {}", name, e.toString());
                }
              });
    }
  }

  // ---- dispatches --------------------------------------------------------------------------

  private void pollDispatches(String pool) {
    Properties p = common();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, config.topics().prefix() + "agents." + pool);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "wf-agent-" + config.id() + "-" + pool);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxConcurrent()));
    // The broker's smallest session timeout: a dead agent's partitions move to the others soon.
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "6000");
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(16 * 1024 * 1024));
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    synchronized (consumers) {
      consumers.add(consumer);
    }
    try (consumer) {
      consumer.subscribe(List.of(config.topics().dispatch(pool)));
      while (accepting.get()) {
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
          accept(r);
          done.put(tp, new OffsetAndMetadata(r.offset() + 1));
        }
        if (!done.isEmpty()) {
          // Started is on the broker before the offsets are committed: a crash in between
          // re-delivers the dispatch to another agent of the pool.
          producer.flush();
          consumer.commitAsync(done, null);
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      if (accepting.get()) {
        LOG.error(
            "agent {}: dispatch consumer of pool {} failed: {}", config.id(), pool, e.toString());
      }
    }
  }

  private void accept(ConsumerRecord<String, byte[]> r) {
    Dispatch d;
    try {
      d = Json.read(r.value(), Dispatch.class);
    } catch (IOException | RuntimeException e) {
      slots.release();
      LOG.warn(
          "agent {}: skipped an unreadable dispatch at {}-{}@{}: {}",
          config.id(),
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage());
      return;
    }
    if (d.runId() == null || d.dispatchId() == null) {
      slots.release();
      LOG.warn(
          "agent {}: skipped a dispatch without runId or dispatchId at {}-{}@{}",
          config.id(),
          r.topic(),
          r.partition(),
          r.offset());
      return;
    }
    if (d.action() == null) {
      slots.release();
      LOG.warn(
          "agent {}: refused dispatch {} of run {}: no action",
          config.id(),
          d.dispatchId(),
          d.runId());
      send(
          d.runId(),
          new StepReport.Refused(
              d.runId(), d.dispatchId(), config.id(), System.currentTimeMillis(), "no action"));
      return;
    }
    if (config.signatures().enabled()) {
      Header h = r.headers().lastHeader(Signatures.HEADER);
      Optional<String> problem =
          config
              .signatures()
              .problem(r.value(), h == null ? null : new String(h.value(), StandardCharsets.UTF_8));
      if (problem.isPresent()) {
        slots.release();
        LOG.warn(
            "agent {}: refused dispatch {} of run {} at {}-{}@{}: {}",
            config.id(),
            d.dispatchId(),
            d.runId(),
            r.topic(),
            r.partition(),
            r.offset(),
            problem.get());
        send(
            d.runId(),
            new StepReport.Refused(
                d.runId(), d.dispatchId(), config.id(), System.currentTimeMillis(), problem.get()));
        return;
      }
    }
    DispatchRef ref = new DispatchRef(d.runId(), d.dispatchId());
    if (running.containsKey(ref) || ended.contains(ref)) {
      // The very same dispatch again (a redelivery after a rebalance or a lost commit): it runs
      // or ran here already, and its reports are on their way or sent.
      slots.release();
      LOG.info(
          "run {} step \"{}\": ignored a redelivery of dispatch {}",
          d.runId(),
          d.step(),
          d.dispatchId());
      return;
    }
    Job job = new Job(d);
    running.put(ref, job);
    send(
        d.runId(),
        new StepReport.Started(
            d.runId(), d.dispatchId(), d.attempt(), config.id(), System.currentTimeMillis()));
    LOG.info("run {} step \"{}\" attempt {} started", d.runId(), d.step(), d.attempt());
    job.future = workers.submit(() -> runJob(job));
  }

  private void runJob(Job job) {
    Dispatch d = job.dispatch;
    long t0 = System.currentTimeMillis();
    try {
      loop.run(
          d,
          config.workdir(),
          job.cancel,
          new AttemptLoop.Reports() {
            private boolean first = true;

            @Override
            public void started(int attempt) {
              job.attempt = attempt;
              if (first) {
                first = false;
                return;
              }
              send(
                  d.runId(),
                  new StepReport.Started(
                      d.runId(), d.dispatchId(), attempt, config.id(), System.currentTimeMillis()));
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
              send(
                  d.runId(),
                  new StepReport.Retrying(
                      d.runId(),
                      d.dispatchId(),
                      attempt,
                      config.id(),
                      System.currentTimeMillis(),
                      failed.error(),
                      failed.status() == AttemptStatus.TIMEOUT,
                      delayMs));
            }

            @Override
            public void finished(int attempt, AttemptOutcome outcome) {
              long took = System.currentTimeMillis() - t0;
              if (job.handBack && outcome.status() == AttemptStatus.CANCELLED) {
                LOG.info("run {} step \"{}\" handed back (agent stopping)", d.runId(), d.step());
                send(
                    d.runId(),
                    new StepReport.Returned(
                        d.runId(),
                        d.dispatchId(),
                        attempt,
                        config.id(),
                        System.currentTimeMillis(),
                        "agent " + config.id() + " is stopping"));
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
              send(
                  d.runId(),
                  new StepReport.Finished(
                      d.runId(),
                      d.dispatchId(),
                      attempt,
                      config.id(),
                      System.currentTimeMillis(),
                      outcome.status(),
                      outcome.result(),
                      outcome.error()));
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("run {} step \"{}\": the agent failed: {}", d.runId(), d.step(), e.toString());
      send(
          d.runId(),
          new StepReport.Finished(
              d.runId(),
              d.dispatchId(),
              job.attempt,
              config.id(),
              System.currentTimeMillis(),
              AttemptStatus.FAILED,
              null,
              "agent error: " + e));
    } finally {
      DispatchRef ref = new DispatchRef(d.runId(), d.dispatchId());
      ended.add(ref);
      running.remove(ref);
      slots.release();
    }
  }

  private void send(String runId, StepReport report) {
    producer.send(
        new ProducerRecord<>(config.topics().stepEvents(), runId, Json.write(report)),
        (md, e) -> {
          if (e != null) {
            LOG.error(
                "agent {}: cannot report {} for run {}: {}",
                config.id(),
                report.getClass().getSimpleName(),
                runId,
                e.toString());
          }
        });
  }

  // ---- cancel requests ---------------------------------------------------------------------

  private void pollControl() {
    Properties p = common();
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "wf-agent-" + config.id() + "-control");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    synchronized (consumers) {
      consumers.add(consumer);
    }
    try (consumer) {
      List<TopicPartition> parts = new ArrayList<>();
      while (!closed.get() && parts.isEmpty()) {
        consumer
            .partitionsFor(config.topics().agentControl(), Duration.ofSeconds(10))
            .forEach(pi -> parts.add(new TopicPartition(pi.topic(), pi.partition())));
      }
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      while (!closed.get()) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (!config.id().equals(r.key()) || r.value() == null) {
            continue;
          }
          try {
            AgentControl c = Json.read(r.value(), AgentControl.class);
            Job job =
                c.runId() == null || c.dispatchId() == null
                    ? null
                    : running.get(new DispatchRef(c.runId(), c.dispatchId()));
            if (AgentControl.CANCEL.equals(c.type()) && job != null) {
              LOG.info(
                  "run {} step \"{}\" cancel requested: {}",
                  c.runId(),
                  job.dispatch.step(),
                  c.reason());
              job.cancel.cancel(c.reason());
            }
          } catch (IOException e) {
            LOG.warn("agent {}: unreadable control message: {}", config.id(), e.getMessage());
          }
        }
      }
    } catch (WakeupException e) {
      // stopping
    } catch (RuntimeException e) {
      if (!closed.get()) {
        LOG.error("agent {}: control consumer failed: {}", config.id(), e.toString());
      }
    }
  }

  // ---- liveness ----------------------------------------------------------------------------

  private void heartbeat() {
    try {
      List<AgentHeartbeat.Running> now = new ArrayList<>();
      running
          .values()
          .forEach(
              j ->
                  now.add(
                      new AgentHeartbeat.Running(
                          j.dispatch.runId(),
                          j.dispatch.dispatchId(),
                          j.dispatch.path(),
                          j.attempt)));
      AgentHeartbeat hb =
          new AgentHeartbeat(
              config.id(),
              host,
              config.pools(),
              config.maxConcurrent(),
              now,
              startedAt,
              System.currentTimeMillis(),
              config.heartbeat().toMillis(),
              !accepting.get());
      producer.send(new ProducerRecord<>(config.topics().agents(), config.id(), Json.write(hb)));
    } catch (RuntimeException e) {
      LOG.warn("agent {}: heartbeat failed: {}", config.id(), e.toString());
    }
  }

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
    synchronized (consumers) {
      consumers.forEach(KafkaConsumer::wakeup);
    }
    long deadline = System.currentTimeMillis() + config.drainTimeout().toMillis();
    while (!running.isEmpty() && System.currentTimeMillis() < deadline) {
      heartbeat();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (Job job : running.values()) {
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
    producer.send(new ProducerRecord<>(config.topics().agents(), config.id(), null));
    producer.flush();
    producer.close(Duration.ofSeconds(5));
    for (Thread t : threads) {
      try {
        t.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("agent {} stopped", config.id());
  }

  private static java.util.concurrent.ThreadFactory named(String prefix) {
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
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
