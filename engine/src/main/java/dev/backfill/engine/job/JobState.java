package dev.backfill.engine.job;

import dev.backfill.engine.job.JobEvent.FailedCallsRetryStarted;
import dev.backfill.engine.job.JobEvent.JobCancelled;
import dev.backfill.engine.job.JobEvent.JobCompleted;
import dev.backfill.engine.job.JobEvent.JobFailed;
import dev.backfill.engine.job.JobEvent.JobPaused;
import dev.backfill.engine.job.JobEvent.JobResumed;
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
      return new Active(event.spec(), tuning, -1, 0, JobCounts.ZERO, event.at(), null, false, false);
    }

    @Override
    public JobStatus status(String jobId) {
      return JobStatus.unknown(jobId);
    }
  }

  /**
   * Submitted or running. {@code totalCalls} is -1 until counted; {@code watermark} is the highest
   * call id below which every call has finished.
   */
  record Active(
      JobSpec spec,
      JobTuning tuning,
      long totalCalls,
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

    public JobState apply(JobEvent event) {
      if (event instanceof JobStarted started) {
        return new Active(spec, tuning, started.totalCalls(), watermark, counts, submittedAt, started.at(), paused, retryingFailed);
      }
      if (event instanceof JobTuned tuned) {
        return new Active(spec, tuned.tuning(), totalCalls, watermark, counts, submittedAt, startedAt, paused, retryingFailed);
      }
      if (event instanceof JobPaused) {
        return new Active(spec, tuning, totalCalls, watermark, counts, submittedAt, startedAt, true, retryingFailed);
      }
      if (event instanceof JobResumed) {
        return new Active(spec, tuning, totalCalls, watermark, counts, submittedAt, startedAt, false, retryingFailed);
      }
      if (event instanceof JobCancelled cancelled) {
        return new Finished(
            spec, tuning, JobPhase.CANCELLED, totalCalls, watermark, counts, submittedAt, startedAt, cancelled.at(), null);
      }
      if (event instanceof ProgressRecorded progress) {
        return new Active(
            spec,
            tuning,
            totalCalls,
            Math.max(watermark, progress.watermark()),
            counts
                .plus(progress.processed(), progress.skipped(), progress.failed())
                .withScanned(progress.scanned()),
            submittedAt,
            startedAt,
            paused,
            retryingFailed);
      }
      if (event instanceof JobCompleted completed) {
        return new Finished(
            spec, tuning, JobPhase.COMPLETED, totalCalls, watermark, counts, submittedAt, startedAt, completed.at(), null);
      }
      if (event instanceof JobFailed failed) {
        return new Finished(
            spec, tuning, JobPhase.FAILED, totalCalls, watermark, counts, submittedAt, startedAt, failed.at(), failed.reason());
      }
      throw new IllegalStateException("unexpected event for an active job: " + event);
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

  /** Completed or failed: nothing more happens to it. */
  record Finished(
      JobSpec spec,
      JobTuning tuning,
      JobPhase phase,
      long totalCalls,
      long watermark,
      JobCounts counts,
      Instant submittedAt,
      Instant startedAt,
      Instant finishedAt,
      String reason)
      implements JobState {

    public JobState apply(FailedCallsRetryStarted event) {
      return new Active(spec, tuning, totalCalls, watermark, counts, submittedAt, startedAt, false, true);
    }

    @Override
    public JobStatus status(String jobId) {
      return new JobStatus(
          jobId, phase, spec, tuning, totalCalls, counts, submittedAt, startedAt, finishedAt, reason, null);
    }
  }
}
