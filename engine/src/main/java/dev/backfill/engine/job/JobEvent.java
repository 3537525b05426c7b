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

  /**
   * The job's scope is fixed: it covers the {@code totalCalls} calls matching its filters with ids
   * up to {@code lastCallId} (read together under its first lease), and ends there however many
   * calls are recorded while it runs. {@code lastCallId} is null in events written before jobs had
   * a scope: such a job is open-ended until {@link JobScoped} fixes its scope on its next start.
   */
  record JobStarted(long totalCalls, Long lastCallId, Instant at) implements JobEvent {}

  /**
   * The scope of a job started before jobs had one, fixed on its next start as {@link JobStarted}
   * fixes a new job's; its start time and its progress so far stay as they were.
   */
  record JobScoped(long totalCalls, long lastCallId, Instant at) implements JobEvent {}

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
