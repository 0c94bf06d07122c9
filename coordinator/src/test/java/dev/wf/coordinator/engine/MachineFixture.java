package dev.wf.coordinator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.event.EventType;
import dev.wf.protocol.event.WorkflowEvent;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.StepResult;
import dev.wf.protocol.result.WorkflowResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Runs the machine in memory for a test: the test plays the agents and moves time itself. Agents
 * are addressed by step name.
 */
final class MachineFixture {
  static final String RUN = "run-1";
  private final Plan plan;
  private final RunMachine machine;
  private final InMemoryRunStore store = new InMemoryRunStore();
  private final List<Command> commands = new ArrayList<>();
  private final List<Outcome> outcomes = new ArrayList<>();
  private final Map<String, Long> timers = new TreeMap<>();
  private final Map<String, Dispatch> current = new LinkedHashMap<>();
  private long now = 1_000_000;

  private MachineFixture(String yaml, MachineConfig config) {
    WorkflowValidator.Validation v =
        WorkflowValidator.validate(DefinitionReader.parse(yaml, false).tree());
    assertThat(v.errors()).as("definition errors").isEmpty();
    this.plan = Plan.of(v.workflow().orElseThrow());
    this.machine = new RunMachine(config);
  }

  static MachineFixture given(String yaml) {
    return new MachineFixture(yaml, MachineConfig.DEFAULT);
  }

  static MachineFixture given(String yaml, MachineConfig config) {
    return new MachineFixture(yaml, config);
  }

  MachineFixture start() {
    return start(Map.of());
  }

  MachineFixture start(Map<String, JsonNode> inputs) {
    return apply(new Input.StartRun(RUN, inputs));
  }

  MachineFixture apply(Input input) {
    Outcome o = machine.apply(plan, store, input, now);
    outcomes.add(o);
    for (Command c : o.commands()) {
      commands.add(c);
      if (c instanceof Command.SetTimer t) {
        timers.put(t.timerId(), t.dueAt());
      } else if (c instanceof Command.ClearTimer t) {
        timers.remove(t.timerId());
      } else if (c instanceof Command.DispatchStep d) {
        current.put(d.dispatch().step(), d.dispatch());
      }
    }
    return this;
  }

  Optional<Rejection.Type> lastRejection() {
    return outcomes.get(outcomes.size() - 1).ignored().map(Rejection::type);
  }

  MachineFixture advance(long ms) {
    now += ms;
    return this;
  }

  /** Moves time forward to each due timer in turn and fires it, until none is due by {@code ms}. */
  MachineFixture elapse(long ms) {
    long until = now + ms;
    while (true) {
      Optional<Map.Entry<String, Long>> next =
          timers.entrySet().stream()
              .filter(e -> e.getValue() <= until)
              .min(Map.Entry.comparingByValue());
      if (next.isEmpty()) {
        break;
      }
      now = Math.max(now, next.get().getValue());
      timers.remove(next.get().getKey());
      apply(new Input.TimerFired(next.get().getKey()));
    }
    now = until;
    return this;
  }

  /** The agent that started {@code step} last: the one whose reports on it count. */
  private String holder(String step) {
    return holders.getOrDefault(step, "agent-a");
  }

  private final java.util.Map<String, String> holders = new java.util.HashMap<>();

  Dispatch dispatchOf(String step) {
    Dispatch d = current.get(step);
    assertThat(d).as("dispatch of " + step).isNotNull();
    return d;
  }

  MachineFixture started(String step) {
    return started(step, 1, "agent-a");
  }

  MachineFixture started(String step, int attempt, String agent) {
    Dispatch d = dispatchOf(step);
    holders.put(step, agent);
    return apply(
        new Input.Report(new StepReport.Started(RUN, d.dispatchId(), attempt, agent, now)));
  }

  MachineFixture succeeds(String step) {
    return succeeds(step, Json.MAPPER.createObjectNode().put("ok", true));
  }

  MachineFixture succeeds(String step, JsonNode result) {
    return finished(step, 1, AttemptStatus.SUCCESS, result, null);
  }

  /** Started then finished with success, in one go. */
  MachineFixture runs(String step) {
    return started(step).succeeds(step);
  }

  MachineFixture runs(String step, JsonNode result) {
    return started(step).succeeds(step, result);
  }

  MachineFixture fails(String step, String error) {
    return finished(step, 1, AttemptStatus.FAILED, null, error);
  }

  MachineFixture finished(
      String step, int attempt, AttemptStatus outcome, JsonNode result, String error) {
    Dispatch d = dispatchOf(step);
    return apply(
        new Input.Report(
            new StepReport.Finished(
                RUN, d.dispatchId(), attempt, holder(step), now, outcome, result, error)));
  }

  MachineFixture retrying(String step, int attempt, String error, long delay) {
    Dispatch d = dispatchOf(step);
    return apply(
        new Input.Report(
            new StepReport.Retrying(
                RUN, d.dispatchId(), attempt, holder(step), now, error, false, delay)));
  }

  MachineFixture cancelRun() {
    return apply(new Input.CancelRun("by test"));
  }

  List<Command> commands() {
    return commands;
  }

  List<Dispatch> dispatches() {
    return commands.stream()
        .filter(Command.DispatchStep.class::isInstance)
        .map(c -> ((Command.DispatchStep) c).dispatch())
        .toList();
  }

  List<String> dispatchedSteps() {
    return dispatches().stream().map(Dispatch::step).toList();
  }

  List<Command.CancelAttempt> cancels() {
    return commands.stream()
        .filter(Command.CancelAttempt.class::isInstance)
        .map(Command.CancelAttempt.class::cast)
        .toList();
  }

  List<WorkflowEvent> events() {
    return commands.stream()
        .filter(Command.Emit.class::isInstance)
        .map(c -> ((Command.Emit) c).event())
        .toList();
  }

  /** Events as {@code type step} strings, for order checks. */
  List<String> eventLines() {
    return events().stream().map(e -> e.type().wire() + " " + e.step()).toList();
  }

  List<WorkflowEvent> events(EventType type) {
    return events().stream().filter(e -> e.type() == type).toList();
  }

  Optional<WorkflowResult> published() {
    return commands.stream()
        .filter(Command.PublishResult.class::isInstance)
        .map(c -> ((Command.PublishResult) c).result())
        .reduce(
            (a, b) -> {
              throw new AssertionError("result published twice");
            });
  }

  WorkflowResult result() {
    return published().orElseThrow(() -> new AssertionError("the run has not ended"));
  }

  WorkflowResult snapshot() {
    return Results.of(plan, store, now, true);
  }

  StepResult step(String name) {
    return result().steps().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no result for " + name + " in " + stepLines()));
  }

  /** Steps of the result as {@code name=status}, in result order. */
  List<String> stepLines() {
    return result().steps().stream().map(s -> s.name() + "=" + s.status().word()).toList();
  }

  Map<String, Long> timers() {
    return timers;
  }

  Plan plan() {
    return plan;
  }

  RunStore store() {
    return store;
  }

  long now() {
    return now;
  }
}
