package dev.backfill.engine.store;

import java.util.concurrent.CompletionStage;

/** Every call of a job ends here as done, skipped or failed, so that none is silently lost. */
public interface OutcomeLedger {

  enum Status {
    DONE,
    SKIPPED,
    FAILED
  }

  CompletionStage<Void> record(String jobId, long callId, Status status, String reason, int attempts);

  /**
   * The ledger partition a call falls in: ranges of call ids, so that a partition holds at most
   * {@link #BUCKET_SIZE} rows however large the job.
   */
  static long bucketOf(long callId) {
    return Math.floorDiv(callId, BUCKET_SIZE);
  }

  long BUCKET_SIZE = 10_000;
}
