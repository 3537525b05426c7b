package dev.backfill.protocol.job;

/** Where a job is in its life. */
public enum JobPhase {
  /** No job has this id. */
  UNKNOWN,
  /** Accepted; its calls are being counted before the first page is read. */
  SUBMITTED,
  RUNNING,
  COMPLETED,
  /** Stopped for good: the reason says why. */
  FAILED
}
