package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.LWWRegisterKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * The primary's healthy baseline as the governor last learned it, kept in Pekko Distributed Data
 * (replicated in memory on every node), so that a governor that moves to another node (its node
 * died or left) starts from it instead of holding every job back for a quiet moment of its own:
 * that moment (the old governor's slots handed over, then 30 quiet probes) was about two of the
 * 13-14 s a job took to go on after its node and the governor's died together.
 *
 * <p>It is soft state on purpose, not journaled: the probes time themselves by the primary's clock,
 * so a baseline is as true on any node; one too old to trust ({@code baseline-refresh}) is
 * re-measured at once, exactly as the governor that learned it would have; and a cluster started
 * from nothing learns one anew. It is kept per primary (the key names the primary's URL), so nodes
 * pointed at another primary never take it. Its age is read across two nodes' wall clocks: a
 * reader whose clock is behind the writer's sees it younger by that much (seconds at most with NTP). A write goes to a majority of the nodes (the rest hear it by gossip
 * within seconds); the value changes at most every {@link #SHARE_EVERY} while the primary is idle
 * and every {@code baseline-refresh} while jobs run, so the node the singleton moves to holds it
 * already.
 */
final class SharedBaseline {

  /** What is shared: the baseline, when and where it was learned, and whether jobs ran meanwhile. */
  record Snapshot(double medianMs, double tailMs, int probes, Instant learnedAt, boolean learnedIdle, String learnedBy)
      implements CborSerializable {}

  /**
   * While no job runs every probe refreshes the baseline: it is shared at most this often then. A
   * baseline re-measured in a quiet moment (jobs running) is shared at once.
   */
  static final Duration SHARE_EVERY = Duration.ofSeconds(30);

  /** A write waits this long for a majority of nodes; then it still holds here and spreads by gossip. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(1);

  /**
   * The replicator always answers within the write's timeout (a timeout is an answer too); one that
   * does not answer at all by this is read as nothing found, or a write that failed: the baseline is
   * soft state, and no failure of it may restart the governor.
   */
  private static final Duration REPLICATOR_TIMEOUT = Duration.ofSeconds(10);

  private final ActorContext<Governor.Command> context;
  private final ActorRef<Replicator.Command> replicator;
  private final Key<LWWRegister<Snapshot>> key;
  private final Function<Snapshot, Governor.Command> found;
  private final Function<String, Governor.Command> written;
  private final SelfUniqueAddress self;
  private final String nodeAddress;
  private LivePathMonitor.Baseline lastShared;
  private long lastSharedAtNanos;

  /**
   * The baseline of the primary at {@code primaryUrl}. {@code found} turns what {@link #read} finds
   * (null: nothing shared yet) into the governor's message; {@code written} turns the end of a
   * write into one: null when it reached a majority or spreads by gossip after a timeout, else
   * what went wrong.
   */
  SharedBaseline(
      ActorContext<Governor.Command> context,
      String primaryUrl,
      Function<Snapshot, Governor.Command> found,
      Function<String, Governor.Command> written) {
    DistributedData data = DistributedData.get(context.getSystem());
    this.context = context;
    this.replicator = data.replicator();
    // Credentials may ride in the URL's parameters: the key names the server and database only.
    int parameters = primaryUrl.indexOf('?');
    this.key =
        LWWRegisterKey.create(
            "governor-live-path-baseline:" + (parameters < 0 ? primaryUrl : primaryUrl.substring(0, parameters)));
    this.found = found;
    this.written = written;
    this.self = data.selfUniqueAddress();
    this.nodeAddress = context.getSystem().address().toString();
  }

  /** Asks this node's replica for the last shared baseline. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void read() {
    Class<Replicator.GetResponse<LWWRegister<Snapshot>>> responses = (Class) Replicator.GetResponse.class;
    context.ask(
        responses,
        replicator,
        REPLICATOR_TIMEOUT,
        replyTo -> new Replicator.Get<>(key, Replicator.readLocal(), replyTo),
        (response, failure) ->
            found.apply(
                response instanceof Replicator.GetSuccess<LWWRegister<Snapshot>> success
                    ? success.get(key).getValue()
                    : null));
  }

  /**
   * The governor took {@code baseline} over from the one before it: it is shared already, by the
   * node that learned it, and is not written again in this node's name.
   */
  void adopt(LivePathMonitor.Baseline baseline, long nowNanos) {
    lastShared = baseline;
    lastSharedAtNanos = nowNanos;
  }

  /**
   * Shares {@code baseline} when it is new: at once if it was measured in a quiet moment, at most
   * every {@link #SHARE_EVERY} if it was refreshed by idle probes. Nothing waits for the write.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  void offer(LivePathMonitor.Baseline baseline, boolean learnedIdle, long nowNanos) {
    if (baseline == null || baseline == lastShared) {
      return;
    }
    if (learnedIdle && lastShared != null && nowNanos - lastSharedAtNanos < SHARE_EVERY.toNanos()) {
      return;
    }
    lastShared = baseline;
    lastSharedAtNanos = nowNanos;
    Instant learnedAt = Instant.now().minusNanos(Math.max(0, nowNanos - baseline.learnedAtNanos()));
    Snapshot snapshot =
        new Snapshot(baseline.medianMs(), baseline.tailMs(), baseline.probes(), learnedAt, learnedIdle, nodeAddress);
    Class<Replicator.UpdateResponse<LWWRegister<Snapshot>>> responses = (Class) Replicator.UpdateResponse.class;
    context.ask(
        responses,
        replicator,
        REPLICATOR_TIMEOUT,
        replyTo ->
            new Replicator.Update<>(
                key,
                LWWRegister.create(self, snapshot),
                new Replicator.WriteMajority(WRITE_TIMEOUT),
                replyTo,
                register -> register.withValue(self, snapshot)),
        (response, failure) ->
            written.apply(
                response instanceof Replicator.UpdateSuccess || response instanceof Replicator.UpdateTimeout
                    ? null
                    : "the live path's baseline could not be shared with the other nodes: "
                        + (failure != null ? failure.getMessage() : response)));
  }
}
