package dev.backfill.engine.job;

import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Instant;

/**
 * A job supervisor's answer to {@link JobSupervisor.GetStatus}, derived from its events.
 *
 * @param totalCalls calls the job covers, -1 until counted
 * @param reason why the job failed or is throttled, or null
 * @param hostedBy the cluster node whose supervisor answered (it runs the job's pipeline)
 */
public record JobStatus(
    String jobId,
    JobPhase phase,
    JobSpec spec,
    JobTuning tuning,
    long totalCalls,
    JobCounts counts,
    Instant submittedAt,
    Instant startedAt,
    Instant finishedAt,
    String reason,
    String hostedBy)
    implements CborSerializable {

  public static JobStatus unknown(String jobId) {
    return new JobStatus(
        jobId, JobPhase.UNKNOWN, null, JobTuning.DEFAULT, -1, JobCounts.ZERO, null, null, null, null, null);
  }

  /**
   * Whether nothing can change this status any more: the job finished, and a finished job refuses
   * every command that would change it but retry-failed, which only a COMPLETED job with failed
   * calls takes. Such a status may be kept and shown without asking the job again.
   */
  public boolean settled() {
    return switch (phase) {
      case CANCELLED, FAILED -> true;
      case COMPLETED -> counts.failed() <= 0;
      default -> false;
    };
  }

  /** The same status, shown as held back (THROTTLED by the governor, or STALLED on a store). */
  public JobStatus heldBack(JobPhase phase, String why) {
    return new JobStatus(
        jobId, phase, spec, tuning, totalCalls, counts, submittedAt, startedAt, finishedAt, why, hostedBy);
  }

  /** The same status, saying which node answered it. */
  public JobStatus hostedBy(String node) {
    return new JobStatus(
        jobId, phase, spec, tuning, totalCalls, counts, submittedAt, startedAt, finishedAt, reason, node);
  }
}
