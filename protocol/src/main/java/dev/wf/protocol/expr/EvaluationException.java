package dev.wf.protocol.expr;

/** An expression that failed to evaluate (a missing key, a step not yet ended, a type error). */
public final class EvaluationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EvaluationException(String source, String message) {
    super("cannot evaluate `" + source + "`: " + message);
  }
}
