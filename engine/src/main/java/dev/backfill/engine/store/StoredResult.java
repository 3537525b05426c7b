package dev.backfill.engine.store;

/**
 * Whether a call has a result of one computation in the store, and which job wrote it. A job that
 * asks again about a call it processed itself (its ask timed out, a member was lost, it resumed
 * from its checkpoint) finds its own result: that call is done by this job, not skipped as the
 * work of another. {@code writtenByJob} is null when there is no result, or the row does not say.
 * It is the job that wrote the row last: a write replaces the row, and a call's entity, its one
 * writer, reads before it writes, so a second job finds the first one's result and does not write.
 */
public record StoredResult(boolean present, String writtenByJob) {

  public static final StoredResult NONE = new StoredResult(false, null);

  public static StoredResult by(String jobId) {
    return new StoredResult(true, jobId);
  }

  /** Whether a result exists and {@code jobId} wrote it. */
  public boolean isFrom(String jobId) {
    return present && jobId.equals(writtenByJob);
  }
}
