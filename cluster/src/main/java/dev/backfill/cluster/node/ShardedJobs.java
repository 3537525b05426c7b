package dev.backfill.cluster.node;

import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.cluster.http.Jobs;
import dev.backfill.engine.job.JobStatus;
import dev.backfill.engine.job.JobSupervisor;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;

/** Jobs as sharded, event-sourced supervisors, reached by asking them. */
final class ShardedJobs implements Jobs {

  /**
   * Settled jobs kept at most: about a kilobyte each. Beyond it, the jobs finished later are asked
   * as before.
   */
  private static final int MAX_SETTLED = 20_000;

  private final ClusterSharding sharding;
  /**
   * The statuses of jobs that can no longer change ({@link JobStatus#settled}), by job id. GET
   * /jobs asks every job ever submitted; without these, each finished one was woken from the
   * journal and asked again at every listing, so a listing cost more with every job kept and kept
   * every finished job in memory while operators polled. Each node keeps its own: a status never
   * changes once settled, so no node's copy goes stale (but for the node named as its host, which
   * is the one that answered last).
   */
  private final Map<String, JobStatus> settled = new ConcurrentHashMap<>();
  private final JobIndex index;
  private final Duration askTimeout;

  ShardedJobs(ActorSystem<?> system, JobIndex index, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.index = index;
    this.askTimeout = askTimeout;
  }

  @Override
  public CompletionStage<String> submit(JobSpec spec, JobTuning tuning) {
    String jobId = UUID.randomUUID().toString();
    return sharding
        .entityRefFor(JobSupervisor.ENTITY_TYPE_KEY, jobId)
        .askWithStatus(
            (ActorRef<StatusReply<JobSupervisor.Accepted>> replyTo) ->
                new JobSupervisor.Submit(spec, tuning, replyTo),
            askTimeout)
        .thenApply(JobSupervisor.Accepted::jobId);
  }

  @Override
  public CompletionStage<JobStatus> tune(String jobId, JobTuning tuning) {
    return askJob(jobId, replyTo -> new JobSupervisor.Tune(tuning, replyTo));
  }

  @Override
  public CompletionStage<JobStatus> retryFailed(String jobId) {
    return askJob(jobId, JobSupervisor.RetryFailed::new);
  }

  @Override
  public CompletionStage<JobStatus> control(String jobId, JobSupervisor.Action action) {
    return askJob(jobId, replyTo -> new JobSupervisor.Control(action, replyTo));
  }

  /** The commands that change a job all answer its status, or an error the API shows as 409. */
  private CompletionStage<JobStatus> askJob(
      String jobId, Function<ActorRef<StatusReply<JobStatus>>, JobSupervisor.Command> command) {
    return OnCompletingThread.of(
        sharding.entityRefFor(JobSupervisor.ENTITY_TYPE_KEY, jobId).askWithStatus(command::apply, askTimeout));
  }

  /**
   * A settled status (the job finished for good) is answered from {@link #settled} once seen; any
   * other is asked of the job.
   */
  @Override
  public CompletionStage<JobStatus> status(String jobId) {
    JobStatus known = settled.get(jobId);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return OnCompletingThread.of(
            sharding.entityRefFor(JobSupervisor.ENTITY_TYPE_KEY, jobId).ask(JobSupervisor.GetStatus::new, askTimeout))
        .thenApply(
            status -> {
              if (status.settled() && settled.size() < MAX_SETTLED) {
                settled.put(jobId, status);
              }
              return status;
            });
  }

  @Override
  public CompletionStage<List<JobStatus>> list() {
    return index
        .jobIds()
        .thenCompose(
            ids -> {
              List<CompletableFuture<JobStatus>> statuses = new ArrayList<>();
              for (String id : ids) {
                statuses.add(status(id).toCompletableFuture());
              }
              return CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new))
                  .thenApply(
                      all ->
                          statuses.stream()
                              .map(CompletableFuture::join)
                              .sorted(
                                  Comparator.comparing(
                                          (JobStatus s) ->
                                              s.submittedAt() == null ? Instant.EPOCH : s.submittedAt())
                                      .reversed())
                              .toList());
            });
  }
}
