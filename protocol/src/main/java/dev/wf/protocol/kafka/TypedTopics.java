package dev.wf.protocol.kafka;

import dev.wf.protocol.Topics;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.AgentControl;
import dev.wf.protocol.message.AgentHeartbeat;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.IntakeMessage;
import dev.wf.protocol.message.KeyRequest;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.WorkflowResult;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What each wf topic carries, in one place: its name (from {@link Topics}) with the serdes of its
 * keys and values. Every key is a string; every value but the dead letters' is wf's JSON.
 */
public final class TypedTopics {
  private static final Serde<String> KEYS = Serdes.String();
  private static final JsonSerde<Dispatch> DISPATCHES = JsonSerde.of(Dispatch.class);

  private final Topics names;
  private final Topic<String, IntakeMessage> intake;
  private final Topic<String, IntakeMessage> coordinatorRuns;
  private final Topic<String, StepReport> stepEvents;
  private final Topic<String, WorkflowEvent> events;
  private final Topic<String, WorkflowResult> results;
  private final Topic<String, AgentHeartbeat> agents;
  private final Topic<String, AgentControl> agentControl;
  private final Topic<String, byte[]> deadLetter;
  private final Topic<String, KeyRequest> coordinatorKeys;

  public TypedTopics(Topics names) {
    this.names = Objects.requireNonNull(names, "names");
    JsonSerde<IntakeMessage> intakeMessages = JsonSerde.of(IntakeMessage.class);
    this.intake = new Topic<>(names.intake(), KEYS, intakeMessages);
    this.coordinatorRuns = new Topic<>(names.coordinatorRuns(), KEYS, intakeMessages);
    this.stepEvents = new Topic<>(names.stepEvents(), KEYS, JsonSerde.of(StepReport.class));
    this.events = new Topic<>(names.events(), KEYS, JsonSerde.of(WorkflowEvent.class));
    this.results = new Topic<>(names.results(), KEYS, JsonSerde.of(WorkflowResult.class));
    this.agents = new Topic<>(names.agents(), KEYS, JsonSerde.of(AgentHeartbeat.class));
    this.agentControl = new Topic<>(names.agentControl(), KEYS, JsonSerde.of(AgentControl.class));
    this.deadLetter = new Topic<>(names.deadLetter(), KEYS, Serdes.ByteArray());
    this.coordinatorKeys =
        new Topic<>(names.coordinatorKeys(), KEYS, JsonSerde.of(KeyRequest.class));
  }

  public Topics names() {
    return names;
  }

  /** Clients' submissions and cancellations, keyed by run id (or not keyed at all). */
  public Topic<String, IntakeMessage> intake() {
    return intake;
  }

  /** The coordinator's intake records re-keyed by run id, their bytes as the client wrote them. */
  public Topic<String, IntakeMessage> coordinatorRuns() {
    return coordinatorRuns;
  }

  /** Requests for concurrency keys, keyed by key. */
  public Topic<String, KeyRequest> coordinatorKeys() {
    return coordinatorKeys;
  }

  /** Agents' reports on the attempts they run, keyed by run id. */
  public Topic<String, StepReport> stepEvents() {
    return stepEvents;
  }

  /** What happened to each run and step, keyed by run id. */
  public Topic<String, WorkflowEvent> events() {
    return events;
  }

  /** Each ended run's result, keyed by run id (compacted). */
  public Topic<String, WorkflowResult> results() {
    return results;
  }

  /** Agents' heartbeats, keyed by agent id (compacted; a tombstone says the agent left). */
  public Topic<String, AgentHeartbeat> agents() {
    return agents;
  }

  /** Requests to one agent, keyed by agent id. */
  public Topic<String, AgentControl> agentControl() {
    return agentControl;
  }

  /** The steps sent to the agents of {@code pool}, keyed by run id. */
  public Topic<String, Dispatch> dispatch(String pool) {
    return new Topic<>(names.dispatch(pool), KEYS, DISPATCHES);
  }

  /**
   * Copies of the records wf refused, their bytes as they came (whatever they hold), with the
   * reason and the source topic in headers.
   */
  public Topic<String, byte[]> deadLetter() {
    return deadLetter;
  }
}
