package dev.backfill.protocol.job;

/** Where a job is in its life. */
public enum JobPhase {
  /** No job has this id. */
  UNKNOWN,
  /** Accepted; its calls are being counted before the first page is read. */
  SUBMITTED,
  RUNNING,
  /** Running, but the governor holds it back for now: the reason says why. */
  THROTTLED,
  /** Running, but waiting for a store that does not answer (the reason says which); it goes on by itself. */
  STALLED,
  /** Stopped by an operator; resumes from its last checkpoint when asked to. */
  PAUSED,
  COMPLETED,
  /** Stopped for good by an operator. */
  CANCELLED,
  /** Stopped for good: the reason says why. */
  FAILED
}
