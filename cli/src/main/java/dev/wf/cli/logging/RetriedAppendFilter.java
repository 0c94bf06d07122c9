package dev.wf.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.slf4j.Marker;

/**
 * Keeps one expected broker error off the operator's screen: with transactions v2 a transactional
 * producer's first batches to a partition may be pipelined, the broker refuses all but the one with
 * sequence 0 (KAFKA-18202) and the producer retries them. The embedded broker logs each refusal at
 * ERROR with a stack trace although nothing is lost.
 */
public final class RetriedAppendFilter extends TurboFilter {
  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (t instanceof OutOfOrderSequenceException
        && level == Level.ERROR
        && logger.getName().endsWith("ReplicaManager")
        && String.valueOf(t.getMessage()).contains("Expected sequence 0")) {
      return FilterReply.DENY;
    }
    return FilterReply.NEUTRAL;
  }
}
