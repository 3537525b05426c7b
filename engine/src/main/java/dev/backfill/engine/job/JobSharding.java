package dev.backfill.engine.job;

import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * Jobs are sharded by job id and are remembered entities: sharding records in the journal every
 * job entity it starts and every one that lets itself go (persistence ids {@code
 * /sharding/JobShard/<shard>}, and {@code /sharding/JobCoordinator} for the shards that hold any),
 * and a shard that starts, on whichever node and for whatever reason (a crash, a node leaving, a
 * rebalance, a cluster restart), starts the jobs it remembers. So an unfinished job runs somewhere
 * without anything waking it, at a cost that does not grow with the jobs that have finished: a job
 * lets itself go (passivates) when it finishes, which is what takes it out of the remembered set.
 * A paused job stays remembered: it reads its journal when its shard starts and then does nothing.
 *
 * <p>The eventsourced store keeps the remembered set in the journal the jobs already need; the
 * other store (ddata) would keep it in LMDB files on each node's own disk, which a replaced node
 * does not have and a whole-cluster restart needs.
 */
public final class JobSharding {

  /**
   * At least this long for a job shard that starts to read from the journal which jobs it
   * remembers (sharding's waiting-for-state-timeout, 2 s by default, for this entity type only):
   * a shard that gives up stops, drops the messages it held (a submit among them), and starts
   * again only after shard-failure-backoff (10 s). A busy journal, shared by every shard that
   * starts at once after a node is lost, may well take more than 2 s. (The timeout also bounds the
   * job shard coordinator's first reading of its state, which is read again when it expires.)
   */
  private static final Duration REMEMBERED_JOBS_READ_TIMEOUT = Duration.ofSeconds(5);

  private JobSharding() {}

  /** Starts the job shards' region on this node. */
  public static void init(ActorSystem<?> system, JobRuntime runtime) {
    ClusterShardingSettings sharding = ClusterShardingSettings.create(system);
    Duration configuredRead = Duration.ofMillis(sharding.tuningParameters().waitingForStateTimeout().toMillis());
    Duration rememberedJobsRead =
        configuredRead.compareTo(REMEMBERED_JOBS_READ_TIMEOUT) >= 0 ? configuredRead : REMEMBERED_JOBS_READ_TIMEOUT;
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    JobSupervisor.ENTITY_TYPE_KEY,
                    entityContext ->
                        JobSupervisor.create(entityContext.getEntityId(), entityContext.getShard(), runtime))
                .withSettings(
                    sharding
                        .withRememberEntities(true)
                        .withRememberEntitiesStoreMode(ClusterShardingSettings.rememberEntitiesStoreModeEventSourced())
                        .withTuningParameters(sharding.tuningParameters().withWaitingForStateTimeout(rememberedJobsRead))
                        // A running job's messages come from its own stream, not through the
                        // shard, so idle-based passivation would stop it mid-run (remember-entities
                        // turns it off anyway); it lets itself go when done.
                        .withNoPassivationStrategy())
                .withStopMessage(JobSupervisor.HandOff.INSTANCE));
  }
}
