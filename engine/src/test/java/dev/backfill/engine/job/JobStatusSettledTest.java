package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobTuning;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A settled status is kept by each node's API and shown without asking the job again, so it must
 * be one no command can change: a job that finished for good, not one that retry-failed can start
 * again (a completed job with failed calls) nor one still running, paused or not yet counted.
 */
class JobStatusSettledTest {

  @Test
  void onlyAJobFinishedForGoodIsSettled() {
    Set<JobPhase> settledWithoutFailures = EnumSet.noneOf(JobPhase.class);
    for (JobPhase phase : JobPhase.values()) {
      if (status(phase, 0).settled()) {
        settledWithoutFailures.add(phase);
      }
    }

    assertEquals(EnumSet.of(JobPhase.COMPLETED, JobPhase.CANCELLED, JobPhase.FAILED), settledWithoutFailures);
  }

  @Test
  void aCompletedJobWithFailedCallsIsNotSettledSinceRetryFailedStartsItAgain() {
    assertEquals(false, status(JobPhase.COMPLETED, 3).settled());
    assertEquals(true, status(JobPhase.CANCELLED, 3).settled(), "retry-failed refuses a cancelled job");
    assertEquals(true, status(JobPhase.FAILED, 3).settled(), "retry-failed refuses a failed job");
  }

  private static JobStatus status(JobPhase phase, long failed) {
    return new JobStatus(
        "job-1", phase, null, JobTuning.DEFAULT, 10, new JobCounts(10, 10 - failed, 0, failed), null, null, null, null, "node");
  }
}
