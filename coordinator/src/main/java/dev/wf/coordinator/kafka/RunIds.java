package dev.wf.coordinator.kafka;

/** What a run id may be: 1 to 200 printable characters. */
final class RunIds {
  private RunIds() {}

  /** Why {@code id} cannot be a run id, or null when it can. */
  static String problem(String id) {
    if (id.isEmpty() || id.length() > 200) {
      return "a run id must have 1 to 200 characters";
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isISOControl(c)) {
        return "a run id must not contain control characters";
      }
    }
    return null;
  }
}
