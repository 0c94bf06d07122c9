package dev.wf.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Log levels: Kafka's own chatter never reaches the terminal; wf's lines only where they help. */
final class Logging {
  private Logging() {}

  /** For one-shot commands: only warnings and errors. */
  static void quiet() {
    set("wf", Level.WARN);
  }

  /** For services (coordinator, agent, broker): one line per meaningful event. */
  static void service() {
    set("wf", Level.INFO);
  }

  static void set(String logger, Level level) {
    if (LoggerFactory.getLogger(logger) instanceof Logger l) {
      l.setLevel(level);
    }
  }
}
