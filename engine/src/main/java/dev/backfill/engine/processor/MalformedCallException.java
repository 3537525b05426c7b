package dev.backfill.engine.processor;

/** A call whose data cannot be analysed; retrying will not help, so the call is recorded as failed. */
public final class MalformedCallException extends RuntimeException {

  public MalformedCallException(String message) {
    super(message);
  }

  public MalformedCallException(String message, Throwable cause) {
    super(message, cause);
  }
}
