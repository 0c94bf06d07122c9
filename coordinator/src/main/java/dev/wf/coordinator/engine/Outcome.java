package dev.wf.coordinator.engine;

import java.util.List;
import java.util.Optional;

/**
 * What applying one input gave: the commands to carry out, or why the input was ignored (a stale
 * report, a duplicate start, a run that has ended), for the log.
 */
public record Outcome(List<Command> commands, Optional<Rejection> ignored) {
  public Outcome {
    commands = List.copyOf(commands);
  }
}
