package dev.backfill.engine.job;

import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import java.time.Instant;

/**
 * A job supervisor's answer to {@link JobSupervisor.GetStatus}, derived from its events.
 *
 * @param totalCalls calls the job covers, -1 until counted
 * @param reason why the job failed, or null
 */
public record JobStatus(
    String jobId,
    JobPhase phase,
    JobSpec spec,
    long totalCalls,
    JobCounts counts,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    String reason)
    implements CborSerializable {

  public static JobStatus unknown(String jobId) {
    return new JobStatus(jobId, JobPhase.UNKNOWN, null, -1, JobCounts.ZERO, null, null, null, null);
  }
}
