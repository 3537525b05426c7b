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
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.SnapshotFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.Recovery;
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
 * again later, which reads the journal anew. Every report carries the {@code generation} the
 * governor started it with, so that the governor can ignore one from a store it has given up on.
 *
 * <p>A clear is followed by a snapshot, so that a recovery never reads what came before it. That
 * is also the way out when the journal holds an event or snapshot that no longer reads (after an
 * upgrade, say): {@link #clearing} starts a store that reads nothing (only the highest sequence
 * number, so that it writes after it), writes the clear and its snapshot, and from then on every
 * recovery starts at that snapshot.
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

  /** What the governor hears from its settings journal, from the store it started as {@code generation}. */
  public sealed interface Report extends CborSerializable {
    int generation();
  }

  /** The overrides read back when this store started. */
  public record Recovered(int generation, GovernorOverrides overrides) implements Report {}

  /** A change is in the journal; the overrides that now hold. */
  public record Saved(int generation, GovernorOverrides overrides) implements Report {}

  /**
   * A store started with {@link #clearing} has written the clear and the snapshot after it: the
   * journal now reads as no overrides, and this store takes changes like one that read it.
   */
  public record ClearedWithoutReading(int generation) implements Report {}

  /**
   * A store started with {@link #clearing} has written the clear, but not the snapshot after it:
   * the journal's last word is the clear, yet a recovery may still stop at what it could not read.
   */
  public record SnapshotAfterClearFailed(int generation, String reason) implements Report {}

  private final ActorRef<Report> governor;
  private final int generation;
  /** False: started to clear without reading the journal ({@link #clearing}). */
  private final boolean readsJournal;
  /** Whom to tell once the snapshot after a clear written without reading is in; null otherwise. */
  private ActorRef<Report> awaitingSnapshot;
  private boolean clearedWithoutReading;

  /** A store that reads the journal back and reports {@link Recovered}. */
  public static Behavior<Command> create(PersistenceId persistenceId, ActorRef<Report> governor, int generation) {
    return new GovernorSettingsStore(persistenceId, governor, generation, true);
  }

  /**
   * A store that reads nothing from the journal but its highest sequence number: send it {@link
   * Clear} first; it reports {@link ClearedWithoutReading} once the clear and a snapshot after it
   * are in, and no {@link Recovered}.
   */
  public static Behavior<Command> clearing(PersistenceId persistenceId, ActorRef<Report> governor, int generation) {
    return new GovernorSettingsStore(persistenceId, governor, generation, false);
  }

  // No onPersistFailure strategy: a journal failure stops this store, and the governor, which
  // watches it, answers the change in hand at once and starts a new store with its own backoff.
  private GovernorSettingsStore(
      PersistenceId persistenceId, ActorRef<Report> governor, int generation, boolean readsJournal) {
    super(persistenceId);
    this.governor = governor;
    this.generation = generation;
    this.readsJournal = readsJournal;
  }

  @Override
  public GovernorOverrides emptyState() {
    return GovernorOverrides.NONE;
  }

  @Override
  public Recovery recovery() {
    // Disabled recovery still asks the journal for its highest sequence number and writes after it.
    return readsJournal ? super.recovery() : Recovery.disabled();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public boolean shouldSnapshot(GovernorOverrides state, GovernorSettingsEvent event, long sequenceNr) {
    return event instanceof OverridesCleared;
  }

  @Override
  public SignalHandler<GovernorOverrides> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::onRecovered)
        .onSignal(SnapshotCompleted.class, (state, completed) -> onSnapshot(null))
        .onSignal(SnapshotFailed.class, (state, failed) -> onSnapshot(failed.getFailure()))
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

  private void onRecovered(GovernorOverrides overrides) {
    if (readsJournal) {
      governor.tell(new Recovered(generation, overrides));
    }
  }

  private void onSnapshot(Throwable failure) {
    if (awaitingSnapshot == null) {
      return;
    }
    awaitingSnapshot.tell(
        failure == null
            ? new ClearedWithoutReading(generation)
            : new SnapshotAfterClearFailed(generation, String.valueOf(failure.getMessage())));
    awaitingSnapshot = null;
  }

  private ReplyEffect<GovernorSettingsEvent, GovernorOverrides> onChange(GovernorOverrides state, Change change) {
    return Effect()
        .persist(new OverridesChanged(change.values(), change.at(), change.by()))
        .thenReply(change.replyTo(), overrides -> new Saved(generation, overrides));
  }

  private ReplyEffect<GovernorSettingsEvent, GovernorOverrides> onClear(GovernorOverrides state, Clear clear) {
    OverridesCleared cleared = new OverridesCleared(clear.at(), clear.by());
    if (!readsJournal && !clearedWithoutReading) {
      // Answered only once the snapshot is in: until then a recovery would still read what is before.
      // Set here, not in a side effect: those run after the snapshot's signal.
      clearedWithoutReading = true;
      awaitingSnapshot = clear.replyTo();
      return Effect().persist(cleared).thenNoReply();
    }
    return Effect().persist(cleared).thenReply(clear.replyTo(), overrides -> new Saved(generation, overrides));
  }
}
