package dev.wf.coordinator.kafka;

import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.coordinator.kafka.Keyspace.TimerKey;
import dev.wf.protocol.kafka.TypedTopics;
import java.time.Duration;
import java.util.Collection;
import java.util.function.Consumer;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The thin shell around the state machine: each record goes to the handler of its kind (intake,
 * agents' reports), which decodes it, loads the run, applies, stores, then forwards the machine's
 * commands and keeps its timers; punctuations fire the timers, notice dead agents and commit.
 *
 * <p>Records come in as bytes and are decoded by the handlers through their topic's serde, not by
 * the source: a record that does not decode is then refused like any other bad record (a dead
 * letter, a {@code workflow:rejected} event) instead of stopping the stream thread.
 */
final class RunProcessor implements Processor<String, byte[], String, byte[]> {
  static final String TO_OUT = "runs-to-out";
  private static final int TIMERS_PER_TICK = 1000;

  private final CoordinatorConfig config;
  private final TypedTopics topics;
  private final Consumer<Collection<String>> ensurePools;
  private final AgentRegistry registry;
  private final CoordinatorMetrics metrics;
  private ProcessorContext<String, byte[]> context;
  private GroupCommit commit;
  private Outbox out;
  private Plans plans;
  private RunTimers timers;
  private RunApplier runs;
  private IntakeHandler intake;
  private ReportHandler reports;

  RunProcessor(
      CoordinatorConfig config,
      Consumer<Collection<String>> ensurePools,
      AgentRegistry registry,
      CoordinatorMetrics metrics) {
    this.config = config;
    this.topics = new TypedTopics(config.topics());
    this.ensurePools = ensurePools;
    this.registry = registry;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    KeyValueStore<String, byte[]> store = context.getStateStore(Keyspace.STORE);
    Keyspace state = Keyspace.of(store);
    this.commit = new GroupCommit(context);
    this.out = new Outbox(context, TO_OUT, topics, config.trust().signer(), metrics, commit);
    this.plans = new Plans(state.definitions, config.limits());
    this.timers = new RunTimers(state);
    this.runs =
        new RunApplier(
            new RunMachine(config.machine()),
            state,
            plans,
            timers,
            out,
            metrics,
            config.retention());
    this.intake =
        new IntakeHandler(
            topics.coordinatorRuns(),
            config.limits(),
            ensurePools,
            plans,
            runs,
            out,
            config.trust());
    this.reports =
        new ReportHandler(topics.stepEvents(), state, plans, runs, out, registry, config.trust());
    context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, this::fireTimers);
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, reports::checkAgents);
    context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME, commit::commitWhenIdle);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String source = context.recordMetadata().map(m -> m.topic()).orElse("");
    if (record.key() == null || record.value() == null) {
      out.deadLetter(record, "a record without key or value", source);
    } else if (source.equals(topics.stepEvents().name())) {
      reports.handle(record, source);
    } else {
      intake.handle(record, source);
    }
    commit.processed();
  }

  private void fireTimers(long wallNow) {
    for (TimerKey t : timers.due(wallNow, TIMERS_PER_TICK)) {
      timers.fired(t);
      if (t.timerId().equals(RunApplier.PURGE)) {
        runs.purge(t.runId());
        continue;
      }
      Plan plan = plans.get(t.runId());
      if (plan != null) {
        runs.apply(t.runId(), plan, new Input.TimerFired(t.timerId()));
      }
    }
  }
}
