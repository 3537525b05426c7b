package dev.backfill.stores;

/**
 * A local store could not start. The message says what happened and what to do about it, so the
 * CLI prints it as it is instead of a stack trace.
 */
public final class StoreStartException extends RuntimeException {

  public StoreStartException(String message) {
    super(message);
  }

  public StoreStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
