package dev.backfill.engine.job;

import dev.backfill.engine.job.JobEvent.FailedCallsRetryStarted;
import dev.backfill.engine.job.JobEvent.JobCancelled;
import dev.backfill.engine.job.JobEvent.JobCompleted;
import dev.backfill.engine.job.JobEvent.JobFailed;
import dev.backfill.engine.job.JobEvent.JobPaused;
import dev.backfill.engine.job.JobEvent.JobResumed;
import dev.backfill.engine.job.JobEvent.JobScoped;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobEvent.JobSubmitted;
import dev.backfill.engine.job.JobEvent.JobTuned;
import dev.backfill.engine.job.JobEvent.ProgressRecorded;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Instant;

/** A job's state in each phase of its life; each phase accepts different commands. */
public sealed interface JobState extends CborSerializable {

  JobStatus status(String jobId);

  /** No job was ever submitted with this id. */
  record Blank() implements JobState {

    public JobState apply(JobSubmitted event) {
      JobTuning tuning = event.tuning() == null ? JobTuning.DEFAULT : event.tuning();
      return new Active(event.spec(), tuning, -1, null, 0, JobCounts.ZERO, event.at(), null, false, false);
    }

    @Override
    public JobStatus status(String jobId) {
      return JobStatus.unknown(jobId);
    }
  }

  /**
   * Submitted or running. {@code totalCalls} is -1 until counted; {@code lastCallId} is the id the
   * job ends at, null until its scope is fixed (and in a job started before jobs had a scope, until
   * its next start fixes it); {@code watermark} is the highest call id below which every call has
   * finished.
   */
  record Active(
      JobSpec spec,
      JobTuning tuning,
      long totalCalls,
      Long lastCallId,
      long watermark,
      JobCounts counts,
      Instant submittedAt,
      Instant startedAt,
      boolean paused,
      boolean retryingFailed)
      implements JobState {

    public boolean started() {
      return startedAt != null;
    }

    /** Whether the job knows where it ends; a job that does not is scoped before it reads a page. */
    public boolean scoped() {
      return lastCallId != null;
    }

    public JobState apply(JobEvent event) {
      if (event instanceof JobStarted started) {
        return new Active(
            spec,
            tuning,
            started.totalCalls(),
            started.lastCallId(),
            watermark,
            counts,
            submittedAt,
            started.at(),
            paused,
            retryingFailed);
      }
      if (event instanceof JobScoped scoped) {
        return new Active(
            spec,
            tuning,
            scoped.totalCalls(),
            scoped.lastCallId(),
            watermark,
            counts,
            submittedAt,
            startedAt,
            paused,
            retryingFailed);
      }
      if (event instanceof JobTuned tuned) {
        return new Active(
            spec, tuned.tuning(), totalCalls, lastCallId, watermark, counts, submittedAt, startedAt, paused, retryingFailed);
      }
      if (event instanceof JobPaused) {
        return new Active(
            spec, tuning, totalCalls, lastCallId, watermark, counts, submittedAt, startedAt, true, retryingFailed);
      }
      if (event instanceof JobResumed) {
        return new Active(
            spec, tuning, totalCalls, lastCallId, watermark, counts, submittedAt, startedAt, false, retryingFailed);
      }
      if (event instanceof JobCancelled cancelled) {
        return finished(JobPhase.CANCELLED, cancelled.at(), null);
      }
      if (event instanceof ProgressRecorded progress) {
        JobCounts recorded =
            counts
                .plus(progress.processed(), progress.skipped(), progress.failed())
                .withScanned(progress.scanned());
        // A call committed after the scope was read, with an id below its end, is read and is one
        // of the job's calls: the total is never below what was read, so the percentage stays
        // within 100.
        long total = totalCalls < 0 ? totalCalls : Math.max(totalCalls, recorded.scanned());
        return new Active(
            spec,
            tuning,
            total,
            lastCallId,
            Math.max(watermark, progress.watermark()),
            recorded,
            submittedAt,
            startedAt,
            paused,
            retryingFailed);
      }
      if (event instanceof JobCompleted completed) {
        return finished(JobPhase.COMPLETED, completed.at(), null);
      }
      if (event instanceof JobFailed failed) {
        return finished(JobPhase.FAILED, failed.at(), failed.reason());
      }
      throw new IllegalStateException("unexpected event for an active job: " + event);
    }

    private Finished finished(JobPhase phase, Instant at, String reason) {
      return new Finished(
          spec, tuning, phase, totalCalls, lastCallId, watermark, counts, submittedAt, startedAt, at, reason);
    }

    @Override
    public JobStatus status(String jobId) {
      return new JobStatus(
          jobId,
          paused ? JobPhase.PAUSED : started() ? JobPhase.RUNNING : JobPhase.SUBMITTED,
          spec,
          tuning,
          totalCalls,
          counts,
          submittedAt,
          startedAt,
          null,
          null,
          null);
    }
  }

  /**
   * Completed, cancelled or failed: nothing more happens to it, except a completed job's retry of
   * its failed calls. {@code lastCallId} is null for a job that never had a scope.
   */
  record Finished(
      JobSpec spec,
      JobTuning tuning,
      JobPhase phase,
      long totalCalls,
      Long lastCallId,
      long watermark,
      JobCounts counts,
      Instant submittedAt,
      Instant startedAt,
      Instant finishedAt,
      String reason)
      implements JobState {

    public JobState apply(FailedCallsRetryStarted event) {
      return new Active(spec, tuning, totalCalls, lastCallId, watermark, counts, submittedAt, startedAt, false, true);
    }

    @Override
    public JobStatus status(String jobId) {
      return new JobStatus(
          jobId, phase, spec, tuning, totalCalls, counts, submittedAt, startedAt, finishedAt, reason, null);
    }
  }
}
