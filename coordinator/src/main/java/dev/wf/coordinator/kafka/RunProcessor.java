package dev.wf.coordinator.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.coordinator.engine.Command;
import dev.wf.coordinator.engine.Input;
import dev.wf.coordinator.engine.Outcome;
import dev.wf.coordinator.engine.Plan;
import dev.wf.coordinator.engine.Rejection;
import dev.wf.coordinator.engine.RunMachine;
import dev.wf.protocol.Json;
import dev.wf.protocol.Signatures;
import dev.wf.protocol.Topics;
import dev.wf.protocol.definition.Problem;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin shell around the state machine: decode the record, load the run, apply, store, then
 * forward the machine's commands (dispatches, cancels, events, the result) and keep its timers.
 */
final class RunProcessor implements Processor<String, byte[], String, byte[]> {

  /** The shell's own timer: forget an ended run once its retention has passed. */
  static final String PURGE = "purge";

  static final String TO_OUT = "runs-to-out";
  private static final Logger LOG = LoggerFactory.getLogger("wf.coordinator");
  private static final int PLAN_CACHE = 1000;

  private final CoordinatorConfig config;
  private final Topics topics;
  private final RunMachine machine;
  private final Consumer<Collection<String>> ensurePools;
  private final AgentRegistry registry;
  private final CoordinatorMetrics metrics;
  private Keyspace.In agentAttempts;
  private ProcessorContext<String, byte[]> context;
  private boolean awaited;
  private Keyspace.In runs;
  private Keyspace.In steps;
  private Keyspace.In definitions;
  private Keyspace.In timers;
  private Keyspace.In timerIndex;
  private final Map<String, Plan> plans =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Plan> eldest) {
          return size() > PLAN_CACHE;
        }
      };

  RunProcessor(
      CoordinatorConfig config,
      Consumer<Collection<String>> ensurePools,
      AgentRegistry registry,
      CoordinatorMetrics metrics) {
    this.metrics = metrics;
    this.registry = registry;
    this.config = config;
    this.topics = config.topics();
    this.machine = new RunMachine(config.machine());
    this.ensurePools = ensurePools;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    KeyValueStore<String, byte[]> state = context.getStateStore(Keyspace.STORE);
    this.runs = Keyspace.RUNS.in(state);
    this.steps = Keyspace.STEPS.in(state);
    this.definitions = Keyspace.DEFINITIONS.in(state);
    this.timers = Keyspace.TIMERS.in(state);
    this.timerIndex = Keyspace.TIMER_INDEX.in(state);
    this.agentAttempts = Keyspace.AGENT_ATTEMPTS.in(state);
    context.schedule(Duration.ofMillis(100), PunctuationType.WALL_CLOCK_TIME, this::fireTimers);
    context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, this::checkAgents);
    context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME, this::commitWhenIdle);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    String source = context.recordMetadata().map(m -> m.topic()).orElse("");
    if (record.key() == null || record.value() == null) {
      deadLetter(record, "a record without key or value", source);
    } else if (source.equals(topics.stepEvents())) {
      stepReport(record, source);
    } else {
      intake(record, source);
    }
    LAST_PROCESSED.get()[0] = System.nanoTime();
  }

  /**
   * Group commit. Under exactly-once an agent sees a dispatch, and a client a result, only once the
   * transaction that wrote it commits; a commit blocks this thread a few milliseconds. So commit as
   * soon as the input runs dry (the thread found nothing more to process) when something is
   * awaited: a quiet coordinator commits at once, a busy one gathers everything that arrived during
   * the last commit into the next. The commit interval remains the upper bound under steady load.
   */
  private void commitWhenIdle(long wallNow) {
    if (awaited && System.nanoTime() - LAST_PROCESSED.get()[0] >= IDLE_NANOS) {
      awaited = false;
      context.commit();
    }
  }

  private static final long IDLE_NANOS = 300_000;

  /**
   * When this stream thread last processed a record, in any of its tasks: a commit commits every
   * task of the thread, so idle means idle in all of them.
   */
  private static final ThreadLocal<long[]> LAST_PROCESSED =
      ThreadLocal.withInitial(() -> new long[1]);

  // ---- intake ------------------------------------------------------------------------------

  private void intake(Record<String, byte[]> record, String source) {
    String runId = record.key();
    IntakeMessage msg;
    try {
      msg = Json.read(record.value(), IntakeMessage.class);
    } catch (IOException e) {
      reject(
          record,
          runId,
          "cannot read the message: " + IntakeTriage.firstLine(e.getMessage()),
          source);
      return;
    }
    if (msg instanceof IntakeMessage.Cancel c) {
      Plan plan = plan(runId);
      if (plan == null) {
        LOG.info("cancel for unknown run {} ignored", runId);
        emitRaw(
            runId,
            EventType.WORKFLOW_REJECTED,
            Routes.event(
                EventType.WORKFLOW_REJECTED, runId, "cancel for a run that does not exist", now()));
        return;
      }
      LOG.info("run {} cancel requested", runId);
      apply(runId, plan, new Input.CancelRun(c.reason()));
      return;
    }
    if (msg instanceof IntakeMessage.Signal signal) {
      signal(runId, signal);
      return;
    }
    IntakeMessage.Submit submit = (IntakeMessage.Submit) msg;
    Plan existing = plan(runId);
    if (existing != null) {
      // The machine decides: the same run id again is a duplicate, whatever its definition.
      Optional<Rejection> refused =
          apply(runId, existing, new Input.StartRun(runId, submit.inputs()));
      if (refused.filter(r -> r.type() == Rejection.Type.DUPLICATE).isPresent()) {
        LOG.info("run {} submitted again: duplicate ignored", runId);
        emitRaw(
            runId,
            EventType.WORKFLOW_DUPLICATE,
            Routes.event(
                EventType.WORKFLOW_DUPLICATE,
                runId,
                "a run with this id exists; the submission was ignored",
                now()));
      }
      return;
    }
    WorkflowValidator.Validation v =
        WorkflowValidator.validate(submit.definition(), config.limits());
    if (!v.valid()) {
      List<String> errors = v.errors().stream().map(Problem::toString).toList();
      String reason =
          "invalid definition: "
              + errors.stream().limit(20).collect(Collectors.joining("; "))
              + (errors.size() > 20 ? "; and " + (errors.size() - 20) + " more" : "");
      reject(record, runId, reason, source);
      return;
    }
    Plan plan = Plan.of(v.workflow().get());
    ensurePools.accept(plan.pools());
    definitions.put(runId, Json.write(submit.definition()));
    plans.put(runId, plan);
    LOG.info("run {} started: {} ({} steps)", runId, plan.root().name(), plan.size());
    apply(runId, plan, new Input.StartRun(runId, submit.inputs()));
  }

  private void signal(String runId, IntakeMessage.Signal signal) {
    String refused = null;
    if (signal.step() == null || signal.step().isBlank()) {
      refused = "a signal names the approval step it answers in \"step\"";
    } else if (!IntakeMessage.Signal.APPROVE.equals(signal.decision())
        && !IntakeMessage.Signal.REJECT.equals(signal.decision())) {
      refused =
          "a signal's decision is \"approve\" or \"reject\", not \"" + signal.decision() + "\"";
    }
    Plan plan = refused == null ? plan(runId) : null;
    if (refused == null && plan == null) {
      refused = "no run " + runId + " (or it ended long ago)";
    }
    if (refused != null) {
      LOG.info("signal for run {} refused: {}", runId, refused);
      emitRaw(
          runId,
          EventType.SIGNAL_REFUSED,
          Routes.event(EventType.SIGNAL_REFUSED, runId, signal.by(), refused, now()));
      return;
    }
    LOG.info("run {} signal {} for {} by {}", runId, signal.decision(), signal.step(), signal.by());
    apply(
        runId,
        plan,
        new Input.Signal(runId, signal.step(), signal.approves(), signal.by(), signal.comment()));
  }

  private Plan plan(String runId) {
    Plan p = plans.get(runId);
    if (p != null) {
      return p;
    }
    byte[] def = definitions.get(runId);
    if (def == null) {
      return null;
    }
    try {
      p = storedPlan(def, config.limits());
    } catch (IOException | RuntimeException e) {
      LOG.error("run {}: its stored definition no longer validates: {}", runId, e.toString());
      return null;
    }
    plans.put(runId, p);
    return p;
  }

  /**
   * The plan of a definition the coordinator stored when it accepted the run (so it validates).
   *
   * @throws IOException when the stored bytes are not JSON
   */
  static Plan storedPlan(byte[] definition, WorkflowValidator.Limits limits) throws IOException {
    JsonNode tree = Json.MAPPER.readTree(definition);
    return Plan.of(WorkflowValidator.validate(tree, limits).workflow().orElseThrow());
  }

  // ---- agents' reports --------------------------------------------------------------------

  private void stepReport(Record<String, byte[]> record, String source) {
    StepReport report;
    try {
      report = Json.read(record.value(), StepReport.class);
    } catch (IOException e) {
      deadLetter(
          record, "cannot read the step event: " + IntakeTriage.firstLine(e.getMessage()), source);
      return;
    }
    if (report.runId() == null
        || report.dispatchId() == null
        || !report.runId().equals(record.key())) {
      deadLetter(
          record, "a step event needs runId (equal to the record key) and dispatchId", source);
      return;
    }
    Plan plan = plan(report.runId());
    if (plan == null && report instanceof StepReport.Refused refused) {
      // A dispatch the coordinator never sent: someone wrote to a dispatch topic. Say so loudly.
      LOG.warn(
          "agent {} refused a dispatch for unknown run {}: {}",
          refused.agent(),
          refused.runId(),
          refused.reason());
      emitRaw(
          refused.runId(),
          EventType.DISPATCH_REFUSED,
          Routes.event(
              EventType.DISPATCH_REFUSED,
              refused.runId(),
              refused.agent(),
              refused.reason(),
              now()));
      return;
    }
    if (plan == null) {
      LOG.warn("step event for unknown run {} from agent {}", report.runId(), report.agent());
      deadLetter(record, "step event for unknown run " + report.runId(), source);
      return;
    }
    apply(report.runId(), plan, new Input.Report(report));
    String key =
        report.agent() + StoreRunView.SEP + report.runId() + StoreRunView.SEP + report.dispatchId();
    if (report instanceof StepReport.Started) {
      agentAttempts.put(key, new byte[0]);
    } else if (report instanceof StepReport.Finished || report instanceof StepReport.Returned) {
      agentAttempts.delete(key);
    }
  }

  // ---- liveness ----------------------------------------------------------------------------

  /** Attempts of agents that went silent are lost: the machine dispatches them again. */
  private void checkAgents(long wallNow) {
    if (registry == null || !registry.caughtUp()) {
      return;
    }
    List<String> lost = new ArrayList<>();
    try (KeyValueIterator<String, byte[]> it = agentAttempts.all()) {
      while (it.hasNext()) {
        String key = it.next().key;
        String agent = key.substring(0, Math.max(0, key.indexOf(StoreRunView.SEP)));
        if (registry.isDead(agent)) {
          lost.add(key);
        }
      }
    }
    for (String key : lost) {
      String[] parts = key.split(String.valueOf(StoreRunView.SEP), 3);
      agentAttempts.delete(key);
      if (parts.length < 3) {
        continue;
      }
      Plan plan = plan(parts[1]);
      if (plan != null) {
        String why = registry.why(parts[0]);
        LOG.info("run {}: attempt {} lost: {}", parts[1], parts[2], why);
        apply(parts[1], plan, new Input.AttemptLost(parts[2], why));
      }
    }
  }

  // ---- applying and carrying out commands ---------------------------------------------------

  /** Applies {@code input} to the run and carries out the commands; returns why it was refused. */
  private Optional<Rejection> apply(String runId, Plan plan, Input input) {
    StoreRunView view = new StoreRunView(runId, runs, steps);
    Outcome outcome;
    try {
      outcome = machine.apply(plan, view, input, now());
    } catch (RuntimeException e) {
      // A bug in the machine must not stop every other run: nothing of this input is stored.
      LOG.error("run {}: internal error applying {}: {}", runId, input, e.toString(), e);
      metrics.internalError();
      return Optional.empty();
    }
    view.flush();
    outcome
        .ignored()
        .ifPresent(
            why -> {
              if (why.type() == Rejection.Type.STALE) {
                LOG.info("run {}: {}", runId, why.reason());
              } else {
                LOG.debug("run {}: ignored {}: {}", runId, input.getClass().getSimpleName(), why);
              }
            });
    for (Command c : outcome.commands()) {
      carryOut(runId, c);
    }
    return outcome.ignored();
  }

  private void carryOut(String runId, Command c) {
    long now = now();
    if (c instanceof Command.DispatchStep d) {
      byte[] value = Json.write(d.dispatch());
      Record<String, byte[]> r = Routes.to(topics.dispatch(d.dispatch().pool()), runId, value, now);
      config
          .signatures()
          .sign(value)
          .ifPresent(
              sig -> r.headers().add(Signatures.HEADER, sig.getBytes(StandardCharsets.UTF_8)));
      context.forward(r, TO_OUT);
      awaited = true;
      metrics.dispatch(d.dispatch().pool());
    } else if (c instanceof Command.Emit e) {
      metrics.event(e.event().type());
      context.forward(Routes.to(topics.events(), runId, Json.write(e.event()), now), TO_OUT);
    } else if (c instanceof Command.CancelAttempt ca) {
      if (ca.agent() != null) {
        byte[] v =
            Json.write(AgentControl.cancel(ca.agent(), ca.runId(), ca.dispatchId(), ca.reason()));
        context.forward(Routes.to(topics.agentControl(), ca.agent(), v, now), TO_OUT);
        awaited = true;
      }
    } else if (c instanceof Command.SetTimer t) {
      setTimer(runId, t.timerId(), t.dueAt());
    } else if (c instanceof Command.ClearTimer t) {
      clearTimer(runId, t.timerId());
    } else if (c instanceof Command.PublishResult p) {
      WorkflowResult r = p.result();
      context.forward(Routes.to(topics.results(), runId, Json.write(r), now), TO_OUT);
      awaited = true;
      plans.remove(runId);
      metrics.runEnded(r);
      setTimer(runId, PURGE, now + config.retention().toMillis());
      LOG.info(
          "run {} ended {} in {} ms ({} steps, {} errors)",
          runId,
          r.status().word(),
          r.duration(),
          r.steps().size(),
          r.errors().size());
    }
  }

  private void emitRaw(String runId, EventType type, byte[] event) {
    metrics.event(type);
    context.forward(Routes.to(topics.events(), runId, event, now()), TO_OUT);
  }

  private void reject(Record<String, byte[]> record, String runId, String reason, String source) {
    LOG.warn("run {} rejected: {}", runId, reason);
    emitRaw(runId, EventType.WORKFLOW_REJECTED, Routes.rejected(runId, reason, now()));
    deadLetter(record, reason, source);
  }

  private void deadLetter(Record<String, byte[]> record, String reason, String source) {
    metrics.deadLetter();
    context.forward(
        Routes.deadLetter(topics.deadLetter(), record.key(), record.value(), reason, source, now()),
        TO_OUT);
  }

  // ---- timers ------------------------------------------------------------------------------

  private static String timerKey(long due, String runId, String timerId) {
    return String.format("%015d", Math.max(0, due))
        + StoreRunView.SEP
        + runId
        + StoreRunView.SEP
        + timerId;
  }

  private void setTimer(String runId, String timerId, long due) {
    clearTimer(runId, timerId);
    String idx = runId + StoreRunView.SEP + timerId;
    timers.put(timerKey(due, runId, timerId), new byte[0]);
    timerIndex.put(idx, Long.toString(due).getBytes(StandardCharsets.UTF_8));
  }

  private void clearTimer(String runId, String timerId) {
    String idx = runId + StoreRunView.SEP + timerId;
    byte[] due = timerIndex.get(idx);
    if (due != null) {
      timers.delete(
          timerKey(Long.parseLong(new String(due, StandardCharsets.UTF_8)), runId, timerId));
      timerIndex.delete(idx);
    }
  }

  private void fireTimers(long wallNow) {
    List<KeyValue<String, byte[]>> due = new ArrayList<>();
    String upTo = String.format("%015d", wallNow) + '\u0001';
    try (KeyValueIterator<String, byte[]> it = timers.upTo(upTo)) {
      while (it.hasNext() && due.size() < 1000) {
        due.add(it.next());
      }
    }
    for (KeyValue<String, byte[]> kv : due) {
      String[] parts = kv.key.split(String.valueOf(StoreRunView.SEP), 3);
      timers.delete(kv.key);
      if (parts.length < 3) {
        continue;
      }
      String runId = parts[1];
      String timerId = parts[2];
      timerIndex.delete(runId + StoreRunView.SEP + timerId);
      if (timerId.equals(PURGE)) {
        purge(runId);
        continue;
      }
      Plan plan = plan(runId);
      if (plan != null) {
        apply(runId, plan, new Input.TimerFired(timerId));
      }
    }
  }

  /** Deletes what the stores hold of an ended run; its result stays on the results topic. */
  private void purge(String runId) {
    StoreRunView.purgeSteps(runId, steps);
    runs.delete(runId);
    definitions.delete(runId);
    plans.remove(runId);
    LOG.info("run {}: state removed after the retention of {}", runId, config.retention());
  }

  private long now() {
    return context.currentSystemTimeMs();
  }
}
