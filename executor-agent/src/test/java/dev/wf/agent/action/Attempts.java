package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.definition.Action;
import dev.wf.protocol.definition.ActionJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/** Builds actions and attempt contexts for the tests, as a dispatch would carry them. */
final class Attempts {
  private Attempts() {}

  static Action action(String json) {
    try {
      JsonNode tree = Json.MAPPER.readTree(json);
      return ActionJson.read(tree);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AttemptContext context(Path workdir, Duration timeout, Cancellation cancel) {
    return new AttemptContext(
        "run-7",
        "Release.sequential[1]",
        2,
        "run-7:Release.sequential[1]",
        timeout,
        workdir,
        cancel);
  }

  static AttemptContext context(Path workdir, Duration timeout) {
    return context(workdir, timeout, new Cancellation());
  }
}
