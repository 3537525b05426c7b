package dev.backfill.engine.job;

import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobSpec;
import java.time.Instant;

/** What happened to a job, in its journal. The job's state is the fold of these. */
public sealed interface JobEvent extends CborSerializable {

  record JobSubmitted(JobSpec spec, Instant at) implements JobEvent {}

  record JobStarted(long totalCalls, Instant at) implements JobEvent {}

  /**
   * A checkpoint: calls up to and including {@code watermark} (by id) have all finished, with
   * these outcomes since the previous checkpoint. A restarted job resumes after the watermark.
   */
  record ProgressRecorded(
      long watermark, long scanned, long processed, long skipped, long failed, Instant at)
      implements JobEvent {}

  record JobCompleted(Instant at) implements JobEvent {}

  record JobFailed(String reason, Instant at) implements JobEvent {}
}
