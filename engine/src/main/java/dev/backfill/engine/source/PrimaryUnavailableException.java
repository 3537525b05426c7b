package dev.backfill.engine.source;

/** A read from the primary database failed; the job retries it with backoff. */
public final class PrimaryUnavailableException extends RuntimeException {

  public PrimaryUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
