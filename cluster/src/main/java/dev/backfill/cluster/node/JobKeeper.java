package dev.backfill.cluster.node;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.protocol.job.JobPhase;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Keeps every unfinished job running somewhere. A job is a sharded entity that only runs while
 * something has woken it: after a node restart, after its node died, or after its shard was
 * handed to another node. So at start and then every {@code interval} each node asks every job it
 * has not yet seen finished for its status; an unfinished one wakes on whichever node now holds
 * its shard and resumes from its last checkpoint. Finished jobs are remembered and left alone.
 */
final class JobKeeper extends AbstractBehavior<JobKeeper.Command> {

  sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Listed(List<String> jobIds, Throwable failure) implements Command {}

  private record Seen(String jobId, JobStatus status, Throwable failure) implements Command {}

  static Behavior<Command> create(JobIndex index, ShardedJobs jobs, Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                  return new JobKeeper(context, index, jobs);
                }));
  }

  private final JobIndex index;
  private final ShardedJobs jobs;
  private final Set<String> finished = new HashSet<>();
  private boolean listing;

  private JobKeeper(ActorContext<Command> context, JobIndex index, ShardedJobs jobs) {
    super(context);
    this.index = index;
    this.jobs = jobs;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Listed.class, this::onListed)
        .onMessage(Seen.class, this::onSeen)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!listing) {
      listing = true;
      getContext().pipeToSelf(index.jobIds(), Listed::new);
    }
    return this;
  }

  private Behavior<Command> onListed(Listed listed) {
    listing = false;
    if (listed.failure() != null) {
      getContext().getLog().warn("cannot list jobs to keep them running: {}", listed.failure().getMessage());
      return this;
    }
    for (String jobId : listed.jobIds()) {
      if (!finished.contains(jobId)) {
        getContext().pipeToSelf(jobs.status(jobId), (status, failure) -> new Seen(jobId, status, failure));
      }
    }
    return this;
  }

  private Behavior<Command> onSeen(Seen seen) {
    if (seen.failure() != null) {
      getContext().getLog().debug("job {} did not answer its wake-up yet: {}", seen.jobId(), seen.failure().getMessage());
    } else if (isFinal(seen.status().phase())) {
      finished.add(seen.jobId());
    }
    return this;
  }

  private static boolean isFinal(JobPhase phase) {
    return phase == JobPhase.COMPLETED || phase == JobPhase.FAILED || phase == JobPhase.CANCELLED;
  }
}
