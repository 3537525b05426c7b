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

  /** The calls of one of the job's buckets whose last outcome is FAILED, in id order. */
  CompletionStage<java.util.List<Long>> failedCalls(String jobId, long bucket);

  /**
   * The ledger partition a call falls in: ranges of call ids, so that a partition holds at most
   * {@link #BUCKET_SIZE} rows however large the job.
   */
  static long bucketOf(long callId) {
    return Math.floorDiv(callId, BUCKET_SIZE);
  }

  long BUCKET_SIZE = 10_000;
}
