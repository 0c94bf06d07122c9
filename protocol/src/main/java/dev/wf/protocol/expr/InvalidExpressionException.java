package dev.wf.protocol.expr;

/** An expression that does not compile; the message is CEL's, on one line. */
public final class InvalidExpressionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidExpressionException(String message) {
    super(message);
  }
}
