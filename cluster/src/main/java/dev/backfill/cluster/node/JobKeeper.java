package dev.backfill.cluster.node;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.protocol.job.JobPhase;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ClusterEvent.MemberRemoved;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps every unfinished job running somewhere. A job is a sharded entity that only runs while
 * something has woken it: after a node restart, after its node died, or after its shard was
 * handed to another node. So at start and then every {@code interval} each node asks every job it
 * has not yet seen finished for its status; an unfinished one wakes on whichever node now holds
 * its shard and resumes from its last checkpoint. Finished jobs are remembered and left alone.
 *
 * <p>When a member is removed from the cluster (downed after a crash, or gone after leaving) the
 * jobs it ran need a new home at once, not at the next tick: the keeper then asks every unfinished
 * job once a second until each has answered (so runs on a live node) or {@link #CHASE_FOR} has
 * passed. The first asks may come while the shard coordinator still holds the dead node's shards
 * (down-removal-margin); sharding buffers them and places the shard as soon as it lets them go.
 *
 * <p>A job is asked again only once its previous ask was answered or timed out: while its shard
 * is not placed an ask waits out its whole timeout, and asking anew every second would pile up
 * nodes x jobs asks a second behind the ones still waiting. A removal is the exception: asks sent
 * before it may have gone to the removed node and be lost, so every chased job is asked at once.
 */
final class JobKeeper extends AbstractBehavior<JobKeeper.Command> {

  /** Wake-ups after a removal come this often... */
  static final Duration CHASE_EVERY = Duration.ofSeconds(1);

  /** ...for at most this long; after it the regular tick goes on alone. */
  static final Duration CHASE_FOR = Duration.ofSeconds(60);

  sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Chase implements Command {
    INSTANCE
  }

  private enum ChaseOver implements Command {
    INSTANCE
  }

  private record MemberGone(MemberRemoved event) implements Command {}

  private record Listed(List<String> jobIds, Throwable failure) implements Command {}

  /** The answer to ask number {@code ask} of this keeper. */
  private record Seen(String jobId, long ask, JobStatus status, Throwable failure) implements Command {}

  static Behavior<Command> create(JobIndex index, ShardedJobs jobs, Duration interval) {
    return create(index::jobIds, jobs::status, interval);
  }

  /**
   * @param jobIds every job ever submitted
   * @param status asks a job for its status, which wakes it wherever its shard is
   */
  static Behavior<Command> create(
      Supplier<CompletionStage<List<String>>> jobIds,
      Function<String, CompletionStage<JobStatus>> status,
      Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, interval);
                  ActorRef<MemberRemoved> removals = context.messageAdapter(MemberRemoved.class, MemberGone::new);
                  Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(removals, MemberRemoved.class));
                  return new JobKeeper(context, timers, jobIds, status);
                }));
  }

  private final TimerScheduler<Command> timers;
  private final Supplier<CompletionStage<List<String>>> jobIds;
  private final Function<String, CompletionStage<JobStatus>> status;
  private final Set<String> finished = new HashSet<>();
  /** Jobs listed and not yet seen finished. */
  private final Set<String> unfinished = new HashSet<>();
  /** After a removal: the jobs to wake again until they answer. */
  private final Set<String> chased = new HashSet<>();
  /**
   * Jobs asked for their status and not yet answered (nor timed out), with the ask's number: not
   * asked again meanwhile.
   */
  private final Map<String, Long> asking = new HashMap<>();
  private long asks;
  private boolean listing;

  private JobKeeper(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Supplier<CompletionStage<List<String>>> jobIds,
      Function<String, CompletionStage<JobStatus>> status) {
    super(context);
    this.timers = timers;
    this.jobIds = jobIds;
    this.status = status;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Chase.INSTANCE, this::onChase)
        .onMessageEquals(ChaseOver.INSTANCE, this::onChaseOver)
        .onMessage(MemberGone.class, this::onMemberGone)
        .onMessage(Listed.class, this::onListed)
        .onMessage(Seen.class, this::onSeen)
        .build();
  }

  private Behavior<Command> onTick() {
    if (!listing) {
      listing = true;
      getContext().pipeToSelf(jobIds.get(), Listed::new);
    }
    return this;
  }

  private Behavior<Command> onMemberGone(MemberGone gone) {
    Cluster cluster = Cluster.get(getContext().getSystem());
    if (gone.event().member().uniqueAddress().equals(cluster.selfMember().uniqueAddress())) {
      return this;
    }
    chased.addAll(unfinished);
    // Asks still out may have been sent to the removed node, where they are lost: ask anew.
    asking.clear();
    getContext()
        .getLog()
        .info(
            "member {} was removed: waking {} unfinished job(s) every {} ms until they answer",
            gone.event().member().address(),
            chased.size(),
            CHASE_EVERY.toMillis());
    timers.startTimerWithFixedDelay(Chase.INSTANCE, Duration.ZERO, CHASE_EVERY);
    timers.startSingleTimer(ChaseOver.INSTANCE, CHASE_FOR);
    // Jobs submitted since the last listing are chased too (see onListed).
    return onTick();
  }

  private Behavior<Command> onChase() {
    if (chased.isEmpty() && !listing) {
      return onChaseOver();
    }
    chased.forEach(this::wake);
    return this;
  }

  private Behavior<Command> onChaseOver() {
    timers.cancel(Chase.INSTANCE);
    timers.cancel(ChaseOver.INSTANCE);
    chased.clear();
    return this;
  }

  private Behavior<Command> onListed(Listed listed) {
    listing = false;
    if (listed.failure() != null) {
      getContext().getLog().warn("cannot list jobs to keep them running: {}", listed.failure().getMessage());
      return this;
    }
    boolean chasing = timers.isTimerActive(Chase.INSTANCE);
    for (String jobId : listed.jobIds()) {
      if (!finished.contains(jobId)) {
        unfinished.add(jobId);
        if (chasing) {
          chased.add(jobId);
        }
        wake(jobId);
      }
    }
    return this;
  }

  /**
   * Asking a job for its status starts its entity, which resumes it, wherever its shard now is. A
   * job whose last ask is still out is left alone: that ask wakes it as well as a new one would.
   */
  private void wake(String jobId) {
    if (!asking.containsKey(jobId)) {
      long ask = ++asks;
      asking.put(jobId, ask);
      getContext().pipeToSelf(status.apply(jobId), (seen, failure) -> new Seen(jobId, ask, seen, failure));
    }
  }

  private Behavior<Command> onSeen(Seen seen) {
    // An ask given up on at a removal answers late: it does not free the job's newer ask.
    asking.remove(seen.jobId(), seen.ask());
    if (seen.failure() != null) {
      getContext().getLog().debug("job {} did not answer its wake-up yet: {}", seen.jobId(), seen.failure().getMessage());
      return this;
    }
    // It answered, so its entity runs on a live node.
    chased.remove(seen.jobId());
    if (isFinal(seen.status().phase())) {
      finished.add(seen.jobId());
      unfinished.remove(seen.jobId());
    }
    return this;
  }

  private static boolean isFinal(JobPhase phase) {
    return phase == JobPhase.COMPLETED || phase == JobPhase.FAILED || phase == JobPhase.CANCELLED;
  }
}
