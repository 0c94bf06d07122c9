package dev.wf.coordinator.engine;

import com.fasterxml.jackson.databind.node.IntNode;
import dev.wf.protocol.definition.DefinitionReader;
import dev.wf.protocol.definition.Problem;
import dev.wf.protocol.definition.WorkflowValidator;
import dev.wf.protocol.message.Dispatch;
import dev.wf.protocol.message.StepReport;
import dev.wf.protocol.result.AttemptStatus;
import dev.wf.protocol.result.WorkflowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Drives one run of the machine with random but valid agent behaviour and records what happened.
 *
 * <p>The world is made of the dispatches still current (the step's state holds that dispatch id),
 * each played by an agent that starts it, fails and retries it, finishes it, is lost, hands it
 * back, refuses it, dies so that another agent gets it again, or confirms a cancel it was asked
 * for; plus the timers the machine set (the earliest one may fire: time jumps to it), late reports
 * from superseded dispatches (which must change nothing) and the user, who may cancel the run.
 * After the end a few more inputs arrive; they must all be ignored. Every choice is read from
 * {@code choices} so that jqwik can shrink a behaviour; when they run out, the world takes the
 * first move (start, succeed, confirm a cancel, else fire the next timer), which always finishes a
 * correct run within a few moves per step.
 */
final class RunSimulation {
  static final String RUN = "run-p";

  /**
   * How the world behaves: {@code choices} picks each move; a step lost with its agent more than
   * {@code maxLost} times fails; a {@code rough} world loses agents, fires timers and cancels runs
   * several times as often.
   */
  record World(List<Integer> choices, int maxLost, boolean rough) {
    @Override
    public String toString() {
      return "World[maxLost=" + maxLost + ", rough=" + rough + ", choices=" + choices + "]";
    }
  }

  /** One input given to the machine, with what the world knew before it. */
  record Applied(
      String label, Input input, Outcome outcome, boolean endedBefore, boolean cancelledBefore) {}

  /** The recorded run: every input and its outcome, the published result and the timers left. */
  record Transcript(
      String definition,
      Plan plan,
      List<Applied> applied,
      WorkflowResult result,
      boolean cancelAccepted,
      Map<String, Long> timersLeft,
      InMemoryRunStore store) {

    List<Command> commands() {
      return applied.stream().flatMap(a -> a.outcome().commands().stream()).toList();
    }

    /** The definition and the inputs, for a failure message that reproduces the run. */
    String describe() {
      StringBuilder b = new StringBuilder("definition:\n").append(definition).append("\ninputs:\n");
      for (int i = 0; i < applied.size(); i++) {
        b.append(String.format("%4d  %s%n", i, applied.get(i).label()));
      }
      return b.toString();
    }
  }

  private enum AgentPhase {
    QUEUED,
    RUNNING,
    BETWEEN_ATTEMPTS
  }

  /** The agent playing one dispatch. */
  private static final class Agent {
    final Dispatch dispatch;
    final String name;
    AgentPhase phase = AgentPhase.QUEUED;
    int attempt;
    boolean cancelAsked;

    /** Refused by its agent: nobody will run it, only its start timeout can end it. */
    boolean refused;

    Agent(Dispatch dispatch, String name) {
      this.dispatch = dispatch;
      this.name = name;
      this.attempt = dispatch.attempt();
    }

    String id() {
      return dispatch.dispatchId();
    }

    boolean lastAttempt() {
      return attempt >= dispatch.maxAttempts();
    }
  }

  private record Move(int weight, Runnable action) {}

  private final String definition;
  private final Plan plan;
  private final RunMachine machine;
  private final InMemoryRunStore store = new InMemoryRunStore();
  private final List<Integer> choices;

  /** Multiplies the weight of the moves that make trouble. */
  private final int trouble;

  private int nextChoice;
  private int choice;
  private long now = 1_000_000;
  private final DueTimers timers = new DueTimers();
  private final Map<String, Agent> live = new LinkedHashMap<>();
  private final List<Agent> gone = new ArrayList<>();
  private final List<Applied> applied = new ArrayList<>();
  private int agents;

  /** Agents that started a dispatch another agent held (told to stop, not playing it). */
  private final java.util.Set<String> redelivered = new java.util.HashSet<>();

  private boolean cancelAccepted;
  private WorkflowResult result;

  private RunSimulation(String definition, World world) {
    this.machine =
        new RunMachine(
            new MachineConfig(
                world.maxLost(),
                Duration.ofSeconds(15),
                Duration.ofSeconds(60),
                Duration.ofMinutes(10)));
    this.definition = definition;
    this.choices = world.choices();
    this.trouble = world.rough() ? 6 : 1;
    DefinitionReader.Result read = DefinitionReader.parse(definition, true);
    if (!read.ok()) {
      throw new IllegalArgumentException(
          "generator wrote bad JSON: " + read.problems() + "\n" + definition);
    }
    WorkflowValidator.Validation v = WorkflowValidator.validate(read.tree());
    List<Problem> errors = v.errors();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(
          "generator wrote an invalid workflow: " + errors + "\n" + definition);
    }
    this.plan = Plan.of(v.workflow().orElseThrow());
  }

  /** Runs {@code definition} to its end in {@code world}. */
  static Transcript run(String definition, World world) {
    return new RunSimulation(definition, world).run();
  }

  private Transcript run() {
    apply("start the run", new Input.StartRun(RUN, Map.of()));
    int bound = choices.size() + 10 * plan.size() + 20;
    int moves = 0;
    while (result == null) {
      if (++moves > bound) {
        throw violation("the run did not end within " + bound + " inputs");
      }
      List<Move> options = moves();
      if (options.isEmpty()) {
        throw violation(
            "the run is stuck: it has not ended, nothing is in flight and no timer is set");
      }
      choice = nextChoice < choices.size() ? choices.get(nextChoice++) : 0;
      pick(options).action().run();
    }
    Map<String, Long> timersAtEnd = timers.left();
    afterTheEnd();
    return new Transcript(
        definition, plan, List.copyOf(applied), result, cancelAccepted, timersAtEnd, store);
  }

  // ---- the world's moves --------------------------------------------------------------------

  /** Every move possible now; the first one always makes progress. */
  private List<Move> moves() {
    List<Move> moves = new ArrayList<>();
    int agentWeight = 0;
    for (Agent a : live.values()) {
      int before = moves.size();
      agentMoves(a, moves);
      for (int i = before; i < moves.size(); i++) {
        agentWeight += moves.get(i).weight();
      }
    }
    if (!timers.isEmpty()) {
      moves.add(new Move(Math.max(10, agentWeight * trouble / 8), this::fireNextTimer));
    }
    moves.add(
        new Move(
            (cancelAccepted ? 1 : 3) * trouble,
            () -> apply("cancel the run", new Input.CancelRun("by the test"))));
    if (!gone.isEmpty()) {
      moves.add(new Move(3 * trouble, this::staleReport));
    }
    // With nothing in flight and no timer set, nothing but the user could move the run on.
    return live.isEmpty() && timers.isEmpty() ? List.of() : moves;
  }

  private void agentMoves(Agent a, List<Move> moves) {
    String id = a.id();
    switch (a.phase) {
      case QUEUED -> {
        if (a.refused) {
          return;
        }
        moves.add(new Move(80, () -> start(a, a.attempt)));
        moves.add(new Move(5 * trouble, () -> lose(a)));
        moves.add(new Move(4 * trouble, () -> handBack(a)));
        moves.add(new Move(2 * trouble, () -> refuse(a)));
      }
      case RUNNING -> {
        if (a.cancelAsked) {
          moves.add(new Move(60, () -> finish(a, AttemptStatus.CANCELLED, "killed on request")));
        }
        moves.add(new Move(40, () -> finish(a, AttemptStatus.SUCCESS, null)));
        moves.add(new Move(25, () -> failAttempt(a, false)));
        moves.add(new Move(10, () -> failAttempt(a, true)));
        moves.add(new Move(5 * trouble, () -> lose(a)));
        moves.add(new Move(3 * trouble, () -> handBack(a)));
        moves.add(
            new Move(2 * trouble, () -> finish(a, AttemptStatus.FAILED, "agent error: boom")));
        moves.add(new Move(2 * trouble, () -> redeliver(a)));
        if (!a.cancelAsked) {
          moves.add(
              new Move(
                  2 * trouble, () -> finish(a, AttemptStatus.CANCELLED, "killed by an operator")));
        }
      }
      case BETWEEN_ATTEMPTS -> {
        if (a.cancelAsked) {
          moves.add(
              new Move(60, () -> finish(a, AttemptStatus.CANCELLED, "cancelled between attempts")));
        }
        moves.add(new Move(80, () -> start(a, a.attempt + 1)));
        moves.add(new Move(5 * trouble, () -> lose(a)));
      }
      default -> throw new IllegalStateException("agent of " + id + " is " + a.phase);
    }
  }

  private Move pick(List<Move> moves) {
    int total = moves.stream().mapToInt(Move::weight).sum();
    int at = Math.floorMod(choice, total);
    for (Move m : moves) {
      at -= m.weight();
      if (at < 0) {
        return m;
      }
    }
    throw new IllegalStateException("no move picked");
  }

  /** Agents take a little time between reports; how much comes from the same choice. */
  private void tick() {
    now += choice == 0 ? 1000 : (choice / 7) % 3000;
  }

  private void start(Agent a, int attempt) {
    tick();
    a.phase = AgentPhase.RUNNING;
    a.attempt = attempt;
    apply(
        a.name + " starts " + a.id() + " attempt " + attempt,
        new Input.Report(new StepReport.Started(RUN, a.id(), attempt, a.name, now)));
  }

  private void finish(Agent a, AttemptStatus outcome, String error) {
    tick();
    apply(
        a.name + " finishes " + a.id() + " attempt " + a.attempt + ": " + outcome.word(),
        new Input.Report(
            new StepReport.Finished(
                RUN,
                a.id(),
                a.attempt,
                a.name,
                now,
                outcome,
                outcome == AttemptStatus.SUCCESS ? IntNode.valueOf(a.attempt) : null,
                error)));
  }

  /** The attempt fails or times out: the agent retries when it may, else reports the end. */
  private void failAttempt(Agent a, boolean timedOut) {
    if (a.lastAttempt()) {
      finish(
          a,
          timedOut ? AttemptStatus.TIMEOUT : AttemptStatus.FAILED,
          timedOut ? "timed out after 10s" : "exit 1: boom");
      return;
    }
    tick();
    long delay = 1000L << Math.min(a.attempt - 1, 5);
    a.phase = AgentPhase.BETWEEN_ATTEMPTS;
    apply(
        a.name
            + " retries "
            + a.id()
            + " after attempt "
            + a.attempt
            + (timedOut ? " timed out" : " failed"),
        new Input.Report(
            new StepReport.Retrying(
                RUN,
                a.id(),
                a.attempt,
                a.name,
                now,
                timedOut ? "timed out after 10s" : "exit 1: boom",
                timedOut,
                delay)));
  }

  private void lose(Agent a) {
    tick();
    apply(
        a.name + " is lost running " + a.id(),
        new Input.AttemptLost(a.id(), a.name + " stopped heartbeating"));
  }

  private void handBack(Agent a) {
    tick();
    apply(
        a.name + " hands " + a.id() + " back",
        new Input.Report(
            new StepReport.Returned(RUN, a.id(), a.attempt, a.name, now, "agent stopping")));
  }

  /**
   * The agent died after reporting Started but before committing its offset: the pool's consumer
   * group hands the same dispatch to another agent, which starts it again. The attempt is the first
   * agent's: the second is told to stop (the same step must not run twice at once), and the step
   * goes on when the first agent is found lost.
   */
  private void redeliver(Agent a) {
    tick();
    String b = "agent-" + (++agents % 3 + 1) + "b";
    redelivered.add(b);
    Outcome o =
        apply(
            b + " gets " + a.id() + " again and starts attempt 1",
            new Input.Report(new StepReport.Started(RUN, a.id(), 1, b, now)));
    if (o.ignored().isEmpty()
        || o.commands().stream()
            .noneMatch(c -> c instanceof Command.CancelAttempt ca && ca.agent().equals(b))) {
      throw violation("a second agent's start of an attempt held by " + a.name + " was taken");
    }
    lose(a);
  }

  private void refuse(Agent a) {
    tick();
    a.refused = true;
    apply(
        a.name + " refuses " + a.id(),
        new Input.Report(
            new StepReport.Refused(
                RUN, a.id(), a.name, now, "kind \"noop\" is not allowed here", true)));
  }

  private void fireNextTimer() {
    DueTimers.Due next = timers.takeEarliest();
    now = Math.max(now, next.at());
    apply("timer " + next.id() + " fires", new Input.TimerFired(next.id()));
  }

  /** A report from a dispatch that is no longer current: it must change nothing. */
  private void staleReport() {
    Agent a = gone.get(Math.floorMod(choice / 11, gone.size()));
    tick();
    Input input =
        switch ((choice / 13) % 5) {
          case 0 ->
              new Input.Report(
                  new StepReport.Finished(
                      RUN,
                      a.id(),
                      a.attempt,
                      a.name,
                      now,
                      AttemptStatus.SUCCESS,
                      IntNode.valueOf(-1),
                      null));
          case 1 -> new Input.Report(new StepReport.Started(RUN, a.id(), a.attempt, a.name, now));
          case 2 ->
              new Input.Report(
                  new StepReport.Retrying(
                      RUN, a.id(), a.attempt, a.name, now, "late", false, 1000));
          case 3 ->
              new Input.Report(
                  new StepReport.Returned(RUN, a.id(), a.attempt, a.name, now, "late"));
          default -> new Input.AttemptLost(a.id(), "late loss");
        };
    Outcome o =
        apply(
            "late "
                + input.getClass().getSimpleName()
                + " from "
                + a.name
                + " for superseded "
                + a.id(),
            input);
    if (o.ignored().isEmpty()) {
      throw violation("a report for a dispatch no longer current was not ignored");
    }
    for (Command c : o.commands()) {
      if (!(c instanceof Command.CancelAttempt)) {
        throw violation("a report for a dispatch no longer current gave " + c);
      }
    }
  }

  /** Inputs that arrive after the end: all ignored, and none may emit, dispatch or set a timer. */
  private void afterTheEnd() {
    apply("cancel the ended run", new Input.CancelRun("too late"));
    for (Agent a : List.copyOf(gone.subList(Math.max(0, gone.size() - 3), gone.size()))) {
      apply(
          a.name + " reports late for " + a.id(),
          new Input.Report(
              new StepReport.Finished(
                  RUN, a.id(), a.attempt, a.name, now, AttemptStatus.SUCCESS, null, null)));
      apply(
          a.name + " starts late " + a.id(),
          new Input.Report(new StepReport.Started(RUN, a.id(), a.attempt, a.name, now)));
      apply("late timer for " + a.id(), new Input.TimerFired("guard|" + a.id()));
    }
  }

  // ---- applying inputs ----------------------------------------------------------------------

  private Outcome apply(String label, Input input) {
    boolean endedBefore = result != null;
    boolean cancelledBefore = cancelAccepted;
    Outcome o;
    try {
      o = machine.apply(plan, store, input, now);
    } catch (RuntimeException e) {
      applied.add(
          new Applied(
              label + "  => THREW " + e,
              input,
              new Outcome(List.of(), Optional.of(Rejection.stale("threw"))),
              endedBefore,
              cancelledBefore));
      throw violation("the machine threw on `" + label + "`: " + e, e);
    }
    applied.add(new Applied(label, input, o, endedBefore, cancelledBefore));
    if (input instanceof Input.CancelRun && !endedBefore && o.ignored().isEmpty()) {
      cancelAccepted = true;
    }
    for (Command c : o.commands()) {
      timers.track(c);
      if (c instanceof Command.DispatchStep d) {
        Dispatch dispatch = d.dispatch();
        live.put(dispatch.dispatchId(), new Agent(dispatch, "agent-" + (++agents % 3 + 1)));
      } else if (c instanceof Command.CancelAttempt ca) {
        Agent a = live.get(ca.dispatchId());
        if (a != null && !redelivered.contains(ca.agent())) {
          if (!a.name.equals(ca.agent())) {
            throw violation(
                "cancel of "
                    + ca.dispatchId()
                    + " sent to "
                    + ca.agent()
                    + ", but "
                    + a.name
                    + " runs it");
          }
          a.cancelAsked = true;
        }
      } else if (c instanceof Command.PublishResult p) {
        result = p.result();
      }
    }
    forgetSuperseded();
    return o;
  }

  /** Dispatches whose step ended or was dispatched again move to {@code gone}. */
  private void forgetSuperseded() {
    live.values()
        .removeIf(
            a -> {
              StepState s = store.step(a.dispatch.path());
              boolean current = s != null && !s.ended() && a.id().equals(s.dispatchId());
              if (!current) {
                gone.add(a);
              }
              return !current;
            });
    if (gone.size() > 20) {
      gone.subList(0, gone.size() - 20).clear();
    }
  }

  private AssertionError violation(String message) {
    return violation(message, null);
  }

  private AssertionError violation(String message, Throwable cause) {
    Transcript t =
        new Transcript(
            definition, plan, List.copyOf(applied), result, cancelAccepted, timers.left(), store);
    return new AssertionError(message + "\n" + t.describe(), cause);
  }
}
