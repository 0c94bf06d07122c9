package dev.wf.coordinator.engine;

/**
 * Timer ids: {@code start|<dispatchId>} (no agent started it in time), {@code guard|<dispatchId>}
 * (no report from its agent in time), {@code settle|<dispatchId>} (a cancel not confirmed in time),
 * {@code backoff|<iteration>|<path>} (a group's wait before it runs again), {@code deadline|<path>}
 * (a leaf's whole time is up), {@code run|timeout} (the run's).
 */
public final class Timers {
  enum Kind {
    START,
    GUARD,
    SETTLE,
    BACKOFF,
    DEADLINE,
    APPROVAL,
    RUN
  }

  static final String RUN_TIMEOUT = "run|timeout";

  record Parsed(Kind kind, String dispatchId, String path, int number) {}

  private Timers() {}

  static String start(String dispatchId) {
    return "start|" + dispatchId;
  }

  static String guard(String dispatchId) {
    return "guard|" + dispatchId;
  }

  static String settle(String dispatchId) {
    return "settle|" + dispatchId;
  }

  static String backoff(String path, int iteration) {
    return "backoff|" + iteration + "|" + path;
  }

  static String deadline(String path) {
    return "deadline|" + path;
  }

  static String approval(String path) {
    return "approval|" + path;
  }

  static Parsed parse(String id) {
    int bar = id.indexOf('|');
    if (bar < 0) {
      return null;
    }
    String rest = id.substring(bar + 1);
    switch (id.substring(0, bar)) {
      case "start":
        return new Parsed(Kind.START, rest, null, 0);
      case "guard":
        return new Parsed(Kind.GUARD, rest, null, 0);
      case "settle":
        return new Parsed(Kind.SETTLE, rest, null, 0);
      case "deadline":
        return new Parsed(Kind.DEADLINE, null, rest, 0);
      case "approval":
        return new Parsed(Kind.APPROVAL, null, rest, 0);
      case "run":
        return id.equals(RUN_TIMEOUT) ? new Parsed(Kind.RUN, null, null, 0) : null;
      case "backoff":
        int bar2 = rest.indexOf('|');
        if (bar2 < 0) {
          return null;
        }
        try {
          return new Parsed(
              Kind.BACKOFF,
              null,
              rest.substring(bar2 + 1),
              Integer.parseInt(rest.substring(0, bar2)));
        } catch (NumberFormatException e) {
          return null;
        }
      default:
        return null;
    }
  }
}
