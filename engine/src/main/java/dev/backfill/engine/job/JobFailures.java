package dev.backfill.engine.job;

import dev.backfill.engine.source.PrimaryCallSource;
import java.util.concurrent.CompletionException;

/** How a job reads a failure: a cause of a given type, its message, a refusal for good. */
final class JobFailures {

  private JobFailures() {}

  /** The first of the failure's causes (itself included) of this type, or null. */
  static <T extends Throwable> T causeOf(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  /** The message of the failure under the futures' wrapping, or its type when it has none. */
  static String message(Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }

  /** The message of the failure's deepest cause, or its type's name when it has none. */
  static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  /**
   * Why the primary refused one of the job's queries for good (no retry could get through: a
   * filter value it rejects, a table that is gone), or null when the failure is something else.
   */
  static String refusal(Throwable failure) {
    JobPipeline.PageRefused refused = causeOf(failure, JobPipeline.PageRefused.class);
    return refused != null ? refused.getMessage() : PrimaryCallSource.refusal(failure);
  }
}
