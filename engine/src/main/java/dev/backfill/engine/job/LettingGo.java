package dev.backfill.engine.job;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Whether a job's entity asked its shard to let it go, and the commands that would change the job
 * and arrived after that (they were in its mailbox before sharding's stop message). Kept across
 * the job actor's restarts, since the shard goes on letting it go. Touched by the job's actor
 * only.
 *
 * <p>With remember-entities, asking the shard is also what takes the job out of the jobs its
 * shard starts by itself: a finished job must stop this way, never by stopping on its own, or its
 * shard would start it again.
 */
final class LettingGo {
  private final String jobId;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private boolean asked;
  private final List<JobSupervisor.Command> forNextIncarnation = new ArrayList<>();

  LettingGo(String jobId, ActorRef<ClusterSharding.ShardCommand> shard) {
    this.jobId = jobId;
    this.shard = shard;
  }

  /** Whether the entity has asked to be let go: it will stop, whatever it is told now. */
  boolean asked() {
    return asked;
  }

  /** Asks the shard, once, to stop {@code job} (sharding answers with {@link JobSupervisor.HandOff}). */
  void ask(ActorRef<JobSupervisor.Command> job) {
    if (!asked) {
      asked = true;
      shard.tell(new ClusterSharding.Passivate<>(job));
    }
  }

  /**
   * A command that would change the job (a submit, a retry of failed calls) arrived after the
   * entity asked to be let go, so it will stop instead of running it. Sharding holds the messages
   * for an entity that is being let go and starts it again for them; this one was in the mailbox
   * already, so it goes back through sharding once this entity has stopped, to the next
   * incarnation, which answers it.
   */
  void holdForNextIncarnation(JobSupervisor.Command command) {
    forNextIncarnation.add(command);
  }

  /** The entity has stopped: what it held goes to its next incarnation. */
  void passOn(ActorSystem<?> system) {
    if (forNextIncarnation.isEmpty()) {
      return;
    }
    var job = ClusterSharding.get(system).entityRefFor(JobSupervisor.ENTITY_TYPE_KEY, jobId);
    forNextIncarnation.forEach(job::tell);
    forNextIncarnation.clear();
  }
}
