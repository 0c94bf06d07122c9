package dev.wf.agent.action;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An action kind beyond the built-ins, found with {@link java.util.ServiceLoader}. The spec is the
 * action as written in the definition, templates resolved. Implementations must honour the
 * attempt's timeout and cancellation.
 */
public interface ActionPlugin {
  String kind();

  AttemptOutcome run(JsonNode spec, AttemptContext context) throws InterruptedException;
}
