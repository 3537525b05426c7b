package dev.backfill.cluster.node;

import dev.backfill.engine.job.JobStatus;
import dev.backfill.protocol.job.JobPhase;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
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
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Wakes, once, the jobs journaled before job entities were remembered. Jobs themselves need no
 * keeper: sharding remembers every job entity that runs (JobSharding.init) in the journal, and
 * a shard that starts, on whichever node (after a crash, a node leaving, a rebalance, a cluster
 * restart), starts the jobs it remembers, which resume from their checkpoints. A job is forgotten
 * only when it lets itself go, which it does once finished. So no node scans the journal on a
 * timer, and nothing here runs when a member is removed: the shard coordinator places a removed
 * node's shards elsewhere as soon as it lets them go, and they start their jobs.
 *
 * <p>A job last run by an older version of the engine is not remembered until something starts
 * it once. So when a cluster starts, its oldest node (the first to be Up, on a cluster start; a
 * node that joins a running cluster is never the oldest) lists every job in the journal and asks
 * each for its status, {@link #ASKS_AT_ONCE} at a time: the question starts the job wherever its
 * shard is, which remembers it, and an unfinished one resumes. A job whose ask fails (its shard is
 * still being placed, the journal does not answer) is asked again every {@code interval} until it
 * answers, and so is the listing. Once every job has answered, the keeper stops. The cost is one
 * scan of the journal and one question per job, once per cluster start; finished jobs let
 * themselves go again a minute after their question.
 */
final class JobKeeper extends AbstractBehavior<JobKeeper.Command> {

  /**
   * Asks out at once: each starts a job's entity, which reads its journal, so a cluster of many
   * jobs is not asked all at the same moment.
   */
  static final int ASKS_AT_ONCE = 32;

  sealed interface Command {}

  private record Joined(SelfUp event) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private record Listed(List<String> jobIds, Throwable failure) implements Command {}

  private record Seen(String jobId, JobStatus status, Throwable failure) implements Command {}

  /** On the node that is the oldest once it is Up; on any other node it stops at once. */
  static Behavior<Command> create(JobIndex index, ShardedJobs jobs, Duration interval) {
    return Behaviors.setup(
        context -> {
          ActorRef<SelfUp> up = context.messageAdapter(SelfUp.class, Joined::new);
          Cluster cluster = Cluster.get(context.getSystem());
          cluster.subscriptions().tell(Subscribe.create(up, SelfUp.class));
          return Behaviors.receive(Command.class)
              .onMessage(
                  Joined.class,
                  joined -> {
                    if (!oldest(cluster)) {
                      context.getLog().debug("not the oldest node: the oldest wakes the journaled jobs");
                      return Behaviors.stopped();
                    }
                    return create(index::jobIds, jobs::status, interval);
                  })
              .build();
        });
  }

  /**
   * Wakes every job of {@code jobIds} at once, wherever this runs.
   *
   * @param jobIds every job ever submitted
   * @param status asks a job for its status, which starts it wherever its shard is
   * @param interval how long a failed listing or a job that did not answer waits to be asked again
   */
  static Behavior<Command> create(
      Supplier<CompletionStage<List<String>>> jobIds,
      Function<String, CompletionStage<JobStatus>> status,
      Duration interval) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new JobKeeper(context, timers, jobIds, status, interval).list()));
  }

  private final TimerScheduler<Command> timers;
  private final Supplier<CompletionStage<List<String>>> jobIds;
  private final Function<String, CompletionStage<JobStatus>> status;
  private final Duration interval;
  private boolean listed;
  /** Listed and not asked yet in this round. */
  private final Deque<String> toAsk = new ArrayDeque<>();
  /** Asked and not answered: asked again at the next retry. */
  private final Set<String> unanswered = new HashSet<>();
  private int asking;
  private int answered;
  private int unfinished;

  private JobKeeper(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Supplier<CompletionStage<List<String>>> jobIds,
      Function<String, CompletionStage<JobStatus>> status,
      Duration interval) {
    super(context);
    this.timers = timers;
    this.jobIds = jobIds;
    this.status = status;
    this.interval = interval;
  }

  private static boolean oldest(Cluster cluster) {
    Member self = cluster.selfMember();
    for (Member member : cluster.state().getMembers()) {
      MemberStatus state = member.status();
      boolean running =
          state.equals(MemberStatus.up()) || state.equals(MemberStatus.leaving()) || state.equals(MemberStatus.exiting());
      if (running && !member.uniqueAddress().equals(self.uniqueAddress()) && member.isOlderThan(self)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listed.class, this::onListed)
        .onMessage(Seen.class, this::onSeen)
        .onMessageEquals(Retry.INSTANCE, this::onRetry)
        .build();
  }

  private Behavior<Command> list() {
    getContext().pipeToSelf(jobIds.get(), Listed::new);
    return this;
  }

  private Behavior<Command> onListed(Listed listed) {
    if (listed.failure() != null) {
      getContext()
          .getLog()
          .warn(
              "cannot list the journaled jobs to wake them (again in {} ms): {}",
              interval.toMillis(),
              listed.failure().getMessage());
      timers.startSingleTimer(Retry.INSTANCE, interval);
      return this;
    }
    this.listed = true;
    toAsk.addAll(listed.jobIds());
    getContext()
        .getLog()
        .info("waking the {} journaled job(s) once, so that sharding remembers the unfinished ones", toAsk.size());
    return askMore();
  }

  private Behavior<Command> onRetry() {
    if (!listed) {
      return list();
    }
    toAsk.addAll(unanswered);
    unanswered.clear();
    return askMore();
  }

  private Behavior<Command> onSeen(Seen seen) {
    asking--;
    if (seen.failure() != null) {
      getContext().getLog().debug("job {} did not answer its wake-up yet: {}", seen.jobId(), seen.failure().getMessage());
      unanswered.add(seen.jobId());
      if (!timers.isTimerActive(Retry.INSTANCE)) {
        timers.startSingleTimer(Retry.INSTANCE, interval);
      }
    } else {
      answered++;
      if (!isFinal(seen.status().phase())) {
        unfinished++;
      }
    }
    return askMore();
  }

  /** Asking a job for its status starts its entity wherever its shard is, which remembers it. */
  private Behavior<Command> askMore() {
    while (asking < ASKS_AT_ONCE && !toAsk.isEmpty()) {
      String jobId = toAsk.poll();
      asking++;
      getContext().pipeToSelf(status.apply(jobId), (seen, failure) -> new Seen(jobId, seen, failure));
    }
    if (asking == 0 && toAsk.isEmpty() && unanswered.isEmpty()) {
      getContext()
          .getLog()
          .info(
              "woke the {} journaled job(s), {} of them unfinished: sharding keeps them running from now on",
              answered,
              unfinished);
      return Behaviors.stopped();
    }
    return this;
  }

  private static boolean isFinal(JobPhase phase) {
    return phase == JobPhase.COMPLETED || phase == JobPhase.FAILED || phase == JobPhase.CANCELLED;
  }
}
