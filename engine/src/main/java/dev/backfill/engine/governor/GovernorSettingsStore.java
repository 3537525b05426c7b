package dev.backfill.engine.governor;

import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesChanged;
import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesCleared;
import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The governor's runtime changes to its budget and thresholds, event-sourced in the engine's
 * journal (the jobs' journal) under one fixed persistence id. It is the governor's child, and the
 * governor is the cluster's singleton, so there is one writer at a time.
 *
 * <p>It checks nothing: the governor accepts or refuses a change before it sends it here, so an
 * event is a change that was accepted. It tells the governor what it recovered, and answers each
 * change with the overrides that now hold. A journal that fails (reading or writing) stops it, with
 * no answer to the change in hand; the governor watches it, says so to whoever waits, and starts it
 * again later, which reads the journal anew.
 */
public final class GovernorSettingsStore
    extends EventSourcedBehaviorWithEnforcedReplies<
        GovernorSettingsStore.Command, GovernorSettingsEvent, GovernorOverrides> {

  /** The one journal stream of the cluster's governor settings. */
  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("governor-settings");

  /** A snapshot every so many changes: a recovery reads one snapshot and at most this many events. */
  private static final int SNAPSHOT_EVERY = 20;

  public sealed interface Command extends CborSerializable {}

  /** Set these fields (API names, values already accepted by the governor). */
  public record Change(Map<String, Double> values, Instant at, String by, ActorRef<Report> replyTo)
      implements Command {}

  /** Drop every runtime change. */
  public record Clear(Instant at, String by, ActorRef<Report> replyTo) implements Command {}

  /** What the governor hears from its settings journal. */
  public sealed interface Report extends CborSerializable {}

  /** The overrides read back when this store started. */
  public record Recovered(GovernorOverrides overrides) implements Report {}

  /** A change is in the journal; the overrides that now hold. */
  public record Saved(GovernorOverrides overrides) implements Report {}

  private final ActorRef<Report> governor;

  public static Behavior<Command> create(PersistenceId persistenceId, ActorRef<Report> governor) {
    return new GovernorSettingsStore(persistenceId, governor);
  }

  // No onPersistFailure strategy: a journal failure stops this store, and the governor, which
  // watches it, answers the change in hand at once and starts a new store with its own backoff.
  private GovernorSettingsStore(PersistenceId persistenceId, ActorRef<Report> governor) {
    super(persistenceId);
    this.governor = governor;
  }

  @Override
  public GovernorOverrides emptyState() {
    return GovernorOverrides.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SignalHandler<GovernorOverrides> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), overrides -> governor.tell(new Recovered(overrides)))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, GovernorSettingsEvent, GovernorOverrides> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Change.class, this::onChange)
        .onCommand(Clear.class, this::onClear)
        .build();
  }

  @Override
  public EventHandler<GovernorOverrides, GovernorSettingsEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(OverridesChanged.class, GovernorOverrides::with)
        .onEvent(OverridesCleared.class, (overrides, cleared) -> GovernorOverrides.NONE)
        .build();
  }

  private ReplyEffect<GovernorSettingsEvent, GovernorOverrides> onChange(GovernorOverrides state, Change change) {
    return Effect()
        .persist(new OverridesChanged(change.values(), change.at(), change.by()))
        .thenReply(change.replyTo(), Saved::new);
  }

  private ReplyEffect<GovernorSettingsEvent, GovernorOverrides> onClear(GovernorOverrides state, Clear clear) {
    return Effect()
        .persist(new OverridesCleared(clear.at(), clear.by()))
        .thenReply(clear.replyTo(), Saved::new);
  }
}
