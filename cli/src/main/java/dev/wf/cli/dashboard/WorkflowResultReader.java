package dev.wf.cli.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.wf.protocol.Json;
import dev.wf.protocol.result.WorkflowResult;
import java.io.IOException;

/** Reads a WorkflowResult from a record or an event, or null when it is not one. */
final class WorkflowResultReader {
  private WorkflowResultReader() {}

  static WorkflowResult read(JsonNode tree) {
    if (tree == null || tree.isNull()) {
      return null;
    }
    try {
      return Json.MAPPER.treeToValue(tree, WorkflowResult.class);
    } catch (IOException | IllegalArgumentException e) {
      return null; // not a result we can read: the events still tell the story
    }
  }

  static WorkflowResult read(byte[] bytes) {
    try {
      return Json.read(bytes, WorkflowResult.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
