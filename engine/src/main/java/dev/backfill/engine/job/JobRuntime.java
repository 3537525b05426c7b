package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.store.OutcomeLedger;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;

/**
 * What a job supervisor, and a block's reader, needs from its node: settings, the queries it may
 * run on the primary, the governor's leases that every one of those queries runs under, the
 * outcome ledger (to find the calls to re-drive), and word of cluster members lost, so that asks
 * to entities there are sent again without waiting out their timeout.
 *
 * @param readersInCallShards whether a job's pages are read by the readers in its blocks' shards
 *     ({@link BlockReader}, on the nodes of the blocks' call entities), as on a node; or by the job
 *     itself with this runtime (tests that give one job its own primary or governor)
 */
public record JobRuntime(
    EngineSettings settings,
    PrimaryCallSource callSource,
    GovernedPrimary primary,
    OutcomeLedger ledger,
    MemberLosses memberLosses,
    boolean readersInCallShards) {

  /**
   * Outside a cluster's membership events, reading pages on the job's own node (tests of one
   * supervisor): no member is ever lost.
   */
  public JobRuntime(EngineSettings settings, PrimaryCallSource callSource, GovernedPrimary primary, OutcomeLedger ledger) {
    this(settings, callSource, primary, ledger, MemberLosses.none(), false);
  }

  /** The block readers of this node, for {@link CallEntity#init}: they read with this runtime. */
  public Function<String, Behavior<CallEntity.Command>> blockReaders() {
    return readerId -> BlockReader.create(this);
  }
}
