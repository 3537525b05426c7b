package dev.backfill.engine.job;

import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Instant;

/** What happened to a job, in its journal. The job's state is the fold of these. */
public sealed interface JobEvent extends CborSerializable {

  /** {@code tuning} is null in events written before jobs could be tuned: the default then. */
  record JobSubmitted(JobSpec spec, JobTuning tuning, Instant at) implements JobEvent {}

  record JobTuned(JobTuning tuning, Instant at) implements JobEvent {}

  record JobStarted(long totalCalls, Instant at) implements JobEvent {}

  /**
   * A checkpoint: calls up to and including {@code watermark} (by id) have all finished, with
   * these outcomes since the previous checkpoint. A restarted job resumes after the watermark.
   */
  record ProgressRecorded(
      long watermark, long scanned, long processed, long skipped, long failed, Instant at)
      implements JobEvent {}

  record JobPaused(Instant at) implements JobEvent {}

  record JobResumed(Instant at) implements JobEvent {}

  record JobCancelled(Instant at) implements JobEvent {}

  record JobCompleted(Instant at) implements JobEvent {}

  /** A completed job re-drives the calls its ledger holds as failed; it completes again after. */
  record FailedCallsRetryStarted(Instant at) implements JobEvent {}

  record JobFailed(String reason, Instant at) implements JobEvent {}
}
