package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;

/** A plug-in kind for the tests, registered in META-INF/services like any other. */
public final class EchoPlugin implements ActionPlugin {
  @Override
  public String kind() {
    return "echo-plugin";
  }

  @Override
  public AttemptOutcome run(JsonNode spec, AttemptContext context) {
    return AttemptOutcome.success(
        Json.MAPPER
            .createObjectNode()
            .put("said", spec.path("say").asText())
            .put("attempt", context.attempt()));
  }
}
