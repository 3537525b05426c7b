package dev.backfill.cluster.http;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.engine.job.JobSupervisor;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** What the HTTP API may do with jobs: the routes see this, never the actor system. */
public interface Jobs {

  /** Accepts a validated job; completes with its id. */
  CompletionStage<String> submit(JobSpec spec, JobTuning tuning);

  /** Changes a running job's priority and cap; fails with a StatusReply error if it has ended. */
  CompletionStage<JobStatus> tune(String jobId, JobTuning tuning);

  CompletionStage<JobStatus> status(String jobId);

  /** Re-drives a completed job's failed calls; fails with a StatusReply error if there are none. */
  CompletionStage<JobStatus> retryFailed(String jobId);

  /** Pauses, resumes or cancels a job; fails with a StatusReply error if it has ended. */
  CompletionStage<JobStatus> control(String jobId, JobSupervisor.Action action);

  CompletionStage<List<JobStatus>> list();
}
