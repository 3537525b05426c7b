package dev.backfill.engine.job;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Tells this node's jobs when the call entities of a member that left the cluster have somewhere
 * to live again, so that they ask again at once for the calls they had asked that member's
 * entities about. An ask sent to a node that died is never answered: without this the job waits
 * out {@code calls.ask-timeout} (15 s), and since outcomes are checkpointed in order, every
 * checkpoint waits with it (a kill of a node that did not run the job held them 11-21 s).
 *
 * <p>The shard coordinator places a removed member's shards elsewhere only {@code
 * pekko.cluster.down-removal-margin} after the removal; an ask sent before that still goes to the
 * dead member. So jobs hear of the loss that long after the removal, and half a second more.
 */
public final class MemberLosses {

  /** After the removal margin, the time the coordinator takes to let the member's shards go. */
  static final Duration AFTER_MARGIN = Duration.ofMillis(500);

  private final Set<Runnable> listeners = ConcurrentHashMap.newKeySet();

  private MemberLosses() {}

  /** Hears of nothing: for a job supervisor tested outside a cluster. */
  public static MemberLosses none() {
    return new MemberLosses();
  }

  /** Watches the cluster's members from this node. */
  public static MemberLosses watch(ActorSystem<?> system) {
    MemberLosses losses = new MemberLosses();
    Duration delay = removalMargin(system).plus(AFTER_MARGIN);
    system.systemActorOf(losses.watcher(delay), "member-losses", Props.empty());
    return losses;
  }

  /** Until {@link Registration#close}, {@code askAgain} runs after each loss. */
  Registration onLoss(Runnable askAgain) {
    listeners.add(askAgain);
    return () -> listeners.remove(askAgain);
  }

  /** A listening that ends. */
  interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** The removed member's shards have moved: every listener asks again. */
  void lost() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        // One run's trouble must not keep the others waiting out their asks, nor stop the watcher.
      }
    }
  }

  /** A removed member's shards have had time to move. */
  private record ShardsMoved() {}

  private Behavior<Object> watcher(Duration delay) {
    return Behaviors.setup(
        context -> {
          Cluster.get(context.getSystem())
              .subscriptions()
              .tell(Subscribe.create(context.getSelf().<ClusterEvent.MemberRemoved>narrow(), ClusterEvent.MemberRemoved.class));
          return Behaviors.withTimers(
              timers ->
                  Behaviors.receive(Object.class)
                      .onMessage(
                          ClusterEvent.MemberRemoved.class,
                          removed -> {
                            timers.startSingleTimer(removed.member().uniqueAddress(), new ShardsMoved(), delay);
                            return Behaviors.same();
                          })
                      .onMessage(
                          ShardsMoved.class,
                          moved -> {
                            lost();
                            return Behaviors.same();
                          })
                      .build());
        });
  }

  private static Duration removalMargin(ActorSystem<?> system) {
    var config = system.settings().config();
    String path = "pekko.cluster.down-removal-margin";
    // "off" means none of its own: the split brain resolver's stable-after, as Pekko reads it.
    if (config.getString(path).equalsIgnoreCase("off")) {
      return config.getDuration("pekko.cluster.split-brain-resolver.stable-after");
    }
    return config.getDuration(path);
  }
}
