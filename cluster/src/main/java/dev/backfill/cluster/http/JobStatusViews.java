package dev.backfill.cluster.http;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.protocol.http.JobStatusResponse;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** A job's status as the API shows it, with the rate and ETA worked out from its checkpoints. */
public final class JobStatusViews {

  private JobStatusViews() {}

  public static JobStatusResponse of(JobStatus status, Instant now) {
    JobSpec spec = status.spec();
    JobCounts counts = status.counts();
    long finished = counts.finished();
    Double rate = null;
    if (status.startedAt() != null) {
      Instant end = status.finishedAt() != null ? status.finishedAt() : now;
      double seconds = Duration.between(status.startedAt(), end).toMillis() / 1000.0;
      rate = seconds > 0 ? round(finished / seconds) : null;
    }
    Double percent = null;
    Long eta = null;
    if (status.totalCalls() >= 0) {
      percent =
          status.totalCalls() == 0 ? 100.0 : round(100.0 * finished / status.totalCalls());
      if (status.phase() == JobPhase.COMPLETED) {
        eta = 0L;
      } else if (rate != null && rate > 0) {
        eta = (long) Math.ceil(Math.max(0, status.totalCalls() - finished) / rate);
      }
    }
    return new JobStatusResponse(
        status.jobId(),
        status.phase().name(),
        spec == null ? null : spec.processor(),
        spec == null ? null : spec.version(),
        spec == null ? null : spec.tenant(),
        spec == null ? null : spec.from(),
        spec == null ? null : spec.to(),
        spec == null ? Map.of() : spec.parameters(),
        status.tuning().priority(),
        status.tuning().maxCallsPerSecond(),
        status.totalCalls(),
        counts.scanned(),
        counts.processed(),
        counts.skipped(),
        counts.failed(),
        percent,
        rate,
        eta,
        status.submittedAt(),
        status.startedAt(),
        status.finishedAt(),
        status.reason(),
        status.hostedBy());
  }

  private static double round(double value) {
    return Math.round(value * 10.0) / 10.0;
  }
}
