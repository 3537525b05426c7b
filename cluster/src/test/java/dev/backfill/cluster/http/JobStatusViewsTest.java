package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.protocol.job.JobCounts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobStatusViewsTest {

  private static final JobSpec SPEC = new JobSpec("talk-ratio", 1, null, null, null, Map.of());
  private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void rateAndEtaComeFromFinishedCallsOverRunningTime() {
    // 400 of 1,000 calls finished in 10 s: 40 calls/s, 600 left: 15 s.
    JobStatus running =
        new JobStatus("j", JobPhase.RUNNING, SPEC, JobTuning.DEFAULT, 1000, new JobCounts(500, 300, 50, 50), START, START, null, null, null);

    var view = JobStatusViews.of(running, START.plusSeconds(10));

    assertEquals(40.0, view.callsPerSecond());
    assertEquals(15L, view.etaSeconds());
    assertEquals(40.0, view.percent());
  }

  @Test
  void noRateOrEtaBeforeTheJobStarts() {
    JobStatus submitted =
        new JobStatus("j", JobPhase.SUBMITTED, SPEC, JobTuning.DEFAULT, -1, JobCounts.ZERO, START, null, null, null, null);

    var view = JobStatusViews.of(submitted, START.plusSeconds(3));

    assertNull(view.callsPerSecond());
    assertNull(view.etaSeconds());
    assertNull(view.percent());
  }
}
