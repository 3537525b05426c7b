package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesChanged;
import dev.backfill.engine.governor.GovernorSettingsEvent.OverridesCleared;
import dev.backfill.engine.governor.GovernorView.SettingsSource;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The governor's runtime changes outlive it: kept in Pekko's in-memory test journal (events and
 * snapshots serialized with the node's CBOR bindings), read back by the next governor before it
 * grants a lease, laid over a configuration that may have changed since, refused changes kept
 * nowhere, and a journal that fails answered as such with nothing changed. A journal that cannot
 * be read (a change in it no longer reads) holds leases back only for {@code
 * settings-read-timeout}, and can be cleared without being read. No primary: the governor is given
 * no probe, so it neither probes nor reads the primary's load.
 */
@ExtendWith(LogCapturingExtension.class)
class GovernorSettingsPersistenceTest {

  private static final Config SYSTEM =
      ConfigFactory.parseString(
              "pekko.actor.provider = local\n"
                  + "pekko.persistence.testkit.events.serialize = on\n"
                  + "pekko.persistence.testkit.snapshots.serialize = on\n")
          .withFallback(EventSourcedBehaviorTestKit.config())
          .withFallback(ConfigFactory.parseResources("serialization.conf"));

  private static final ActorTestKit testKit = ActorTestKit.create("GovernorSettingsPersistenceTest", SYSTEM);
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final SnapshotTestKit snapshots = SnapshotTestKit.create(testKit.system());

  private static final GovernorSettings CONFIGURED = governorSettings(Map.of());

  /**
   * With no probe a quiet moment never completes and holds leases back for its whole quiet-max:
   * keep that short where a test waits for a lease.
   */
  private static final Map<String, Object> QUICK_QUIET_MOMENT =
      Map.of(
          "backfill.governor.live-path.quiet-settle", "0ms",
          "backfill.governor.live-path.quiet-probes", 5,
          "backfill.governor.live-path.probe-interval", "10ms",
          "backfill.governor.live-path.quiet-max", "100ms");

  private final PersistenceId settingsId = PersistenceId.ofUniqueId("governor-settings-" + UUID.randomUUID());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** A test's journal failures end with it. */
  @AfterEach
  void journalAnswersAgain() {
    journal.resetPolicy();
  }

  @Test
  void aChangeIsKeptAndTheNextGovernorReadsItBack() {
    ActorRef<Governor.Command> first = startAndRead(CONFIGURED);

    GovernorView changed =
        applied(update(first, new GovernorBudget(2, 2000, 500), null, Set.of("max_rows_per_second")));

    assertEquals(2000.0, changed.budget().maxRowsPerSecond());
    assertEquals(SettingsSource.OVERRIDES, changed.settings().source());
    OverridesChanged kept = journal.expectNextPersistedClass(settingsId.id(), OverridesChanged.class);
    assertEquals(Map.of("max_rows_per_second", 2000.0), kept.values());

    testKit.stop(first);
    ActorRef<Governor.Command> second = testKit.spawn(Governor.create(CONFIGURED, null, settingsId));

    GovernorView read = awaitView(second, view -> assertEquals(SettingsSource.OVERRIDES, view.settings().source()));
    GovernorBudget configured = CONFIGURED.budget();
    assertEquals(
        new GovernorBudget(configured.maxConcurrentQueries(), 2000, configured.maxQueryMillisPerSecond()), read.budget());
    assertEquals(CONFIGURED.thresholds(), read.thresholds());
    assertEquals(1, read.settings().overrides().size(), read.settings()::toString);
    GovernorView.FieldOverride override = read.settings().overrides().get(0);
    assertEquals("max_rows_per_second", override.field());
    assertEquals(2000.0, override.value());
    assertEquals(CONFIGURED.budget().maxRowsPerSecond(), override.configured());
    assertTrue(override.applied());
    assertEquals("test", override.by());
    assertNotNull(override.changedAt());
  }

  @Test
  void aRefusedChangeIsKeptNowhere() {
    ActorRef<Governor.Command> governor = startAndRead(CONFIGURED);

    String outOfRange = refusal(update(governor, new GovernorBudget(2, 1e300, 500), null, Set.of("max_rows_per_second")));
    // Valid alone, but only the warning level is named: it would lie above the critical level in force (3).
    HealthThresholds warnAt9 = withLiveRatios(CONFIGURED.thresholds(), 9, 10);
    String outOfOrder = refusal(update(governor, null, warnAt9, Set.of("thresholds.live_ratio_warn")));

    assertEquals("max_rows_per_second must be a number in (0, 1000000], was 1.0E300", outOfRange);
    assertTrue(outOfOrder.contains("live_ratio_warn (9.0) must be below live_ratio_critical (3.0)"), outOfOrder);
    // Checked at once: a refusal is answered without a word to the store, so nothing can follow.
    assertEquals(List.of(), journal.persistedInStorage(settingsId.id()));
    GovernorView after = view(governor);
    assertEquals(CONFIGURED.budget(), after.budget());
    assertEquals(CONFIGURED.thresholds(), after.thresholds());
    assertEquals(SettingsSource.CONFIGURATION, after.settings().source());
  }

  @Test
  void aJournalThatFailsIsAnsweredWithNothingChangedAndTheNextChangeGoesThroughOnceItIsBack() {
    ActorRef<Governor.Command> governor = startAndRead(CONFIGURED);
    journal.failNextPersisted(settingsId.id());

    Governor.SettingsReply failed = update(governor, new GovernorBudget(2, 1500, 500), null, Set.of("max_rows_per_second"));

    assertInstanceOf(Governor.SettingsUnavailable.class, failed);
    assertTrue(((Governor.SettingsUnavailable) failed).reason().contains("nothing was changed"), failed::toString);
    GovernorView unchanged = view(governor);
    assertEquals(CONFIGURED.budget(), unchanged.budget());
    assertEquals(SettingsSource.CONFIGURATION, unchanged.settings().source());
    assertNotNull(unchanged.settings().problem(), "the journal's failure is shown");

    // The governor starts its settings store again after a second and reads the journal anew.
    TestProbe<Object> waiter = testKit.createTestProbe();
    GovernorView changed =
        waiter.awaitAssert(
            Duration.ofSeconds(15),
            Duration.ofMillis(200),
            () -> applied(update(governor, new GovernorBudget(2, 1500, 500), null, Set.of("max_rows_per_second"))));
    assertEquals(1500.0, changed.budget().maxRowsPerSecond());
    assertEquals(1, journal.persistedInStorage(settingsId.id()).size(), "only the change the journal took");
  }

  @Test
  void noLeaseIsGrantedBeforeTheChangesAreRead() {
    journal.failNextRead(settingsId.id());
    ActorRef<Governor.Command> governor = testKit.spawn(Governor.create(CONFIGURED, null, settingsId));

    TestProbe<Governor.LeaseReply> leases = testKit.createTestProbe();
    governor.tell(new Governor.AcquireLease("job-1", 1, null, 10, "node-a", null, leases.getRef()));
    Governor.LeaseReply reply = leases.receiveMessage();

    assertInstanceOf(Governor.LeaseDenied.class, reply);
    assertTrue(((Governor.LeaseDenied) reply).reason().contains("reading the runtime changes"), reply::toString);
    GovernorView reading = view(governor);
    assertEquals(SettingsSource.READING_JOURNAL, reading.settings().source());
    // What the view says is what leases get: nothing, and why.
    assertTrue(reading.paused(), reading::toString);
    assertEquals(GovernorMode.PAUSED.name(), reading.mode());
    assertEquals(0.0, reading.rowsPerSecond());
    assertTrue(reading.reason().contains("reading the runtime changes"), reading::reason);
    assertTrue(reading.reason().contains("(attempt "), reading::reason);
    awaitView(governor, view -> assertEquals(SettingsSource.CONFIGURATION, view.settings().source()));
  }

  @Test
  void aJournalThatCannotBeReadHoldsLeasesBackOnlyForTheReadTimeoutAndItsChangesComeIntoForceOnceRead() {
    ActorRef<Governor.Command> first = startAndRead(CONFIGURED);
    applied(update(first, new GovernorBudget(2, 2000, 500), null, Set.of("max_rows_per_second")));
    testKit.stop(first);
    firstChangeNoLongerReads();
    GovernorSettings readTimeout2s =
        governorSettings(QUICK_QUIET_MOMENT, Map.of("backfill.governor.settings-read-timeout", "2s"));

    ActorRef<Governor.Command> second = testKit.spawn(Governor.create(readTimeout2s, null, settingsId));

    Governor.LeaseReply waiting = lease(second);
    assertInstanceOf(Governor.LeaseDenied.class, waiting);
    assertTrue(((Governor.LeaseDenied) waiting).reason().contains("reading the runtime changes"), waiting::toString);
    GovernorView unread =
        awaitView(second, view -> assertEquals(SettingsSource.CONFIGURATION_UNTIL_READ, view.settings().source()));
    assertFalse(unread.paused(), unread::toString);
    assertEquals(readTimeout2s.budget(), unread.budget(), "the configuration is in force meanwhile");
    assertTrue(unread.reason().contains("on the configured budget and thresholds"), unread::reason);
    assertTrue(unread.settings().problem().contains("could not be read within 2 s"), unread.settings()::problem);
    assertTrue(unread.settings().problem().contains("(attempt "), unread.settings()::problem);
    assertTrue(unread.settings().problem().contains("failed at"), "the journal's failure is shown");
    awaitLeaseGranted(second);

    journal.resetPolicy();

    GovernorView read = awaitView(second, view -> assertEquals(SettingsSource.OVERRIDES, view.settings().source()));
    assertEquals(2000.0, read.budget().maxRowsPerSecond(), "the change comes into force once read");
    assertNull(read.settings().problem(), read.settings()::problem);
    assertFalse(read.reason().contains("configured budget"), read::reason);
  }

  @Test
  void aJournalThatCannotBeReadIsClearedWithoutReadingItAndReadsAgainFromTheClear() {
    ActorRef<Governor.Command> first = startAndRead(CONFIGURED);
    applied(update(first, new GovernorBudget(2, 2000, 500), null, Set.of("max_rows_per_second")));
    testKit.stop(first);
    firstChangeNoLongerReads();
    ActorRef<Governor.Command> second = testKit.spawn(Governor.create(CONFIGURED, null, settingsId));
    awaitView(second, view -> assertNotNull(view.settings().problem(), "the failed reading is shown"));
    // A change needs the journal read: it is not made.
    assertInstanceOf(
        Governor.SettingsUnavailable.class,
        update(second, new GovernorBudget(2, 1800, 500), null, Set.of("max_rows_per_second")));

    TestProbe<Governor.SettingsReply> replies = testKit.createTestProbe();
    second.tell(new Governor.ClearOverrides("test", replies.getRef()));
    GovernorView cleared = applied(replies.receiveMessage(Duration.ofSeconds(10)));

    assertEquals(SettingsSource.CONFIGURATION, cleared.settings().source());
    assertEquals(CONFIGURED.budget(), cleared.budget());
    assertNull(cleared.settings().problem(), cleared.settings()::problem);
    assertFalse(cleared.paused(), "leases need not wait: the journal's content is known");
    journal.expectNextPersistedClass(settingsId.id(), OverridesChanged.class);
    journal.expectNextPersistedClass(settingsId.id(), OverridesCleared.class);
    assertEquals(GovernorOverrides.NONE, snapshots.expectNextPersistedClass(settingsId.id(), GovernorOverrides.class));
    // The store that cleared takes changes from now on.
    GovernorView changed = applied(update(second, new GovernorBudget(2, 1500, 500), null, Set.of("max_rows_per_second")));
    assertEquals(1500.0, changed.budget().maxRowsPerSecond());

    // The change that does not read is still in the journal, but a reading starts at the snapshot
    // after the clear.
    testKit.stop(second);
    ActorRef<Governor.Command> third = testKit.spawn(Governor.create(CONFIGURED, null, settingsId));
    GovernorView again = awaitView(third, view -> assertEquals(SettingsSource.OVERRIDES, view.settings().source()));
    assertEquals(1500.0, again.budget().maxRowsPerSecond());
    assertNull(again.settings().problem(), again.settings()::problem);
  }

  @Test
  void aStoreGivenUpOnIsForgottenAtOnceAndItsLateWriteIsReadBack() {
    ActorRef<Governor.Command> governor = startAndRead(CONFIGURED);
    CountDownLatch journalAnswers = new CountDownLatch(1);
    // A journal slower than the governor waits (SAVE_TIMEOUT): it takes the write only when let.
    journal.withPolicy(
        (persistenceId, operation) -> {
          if (persistenceId.equals(settingsId.id()) && operation instanceof WriteEvents) {
            try {
              journalAnswers.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return ProcessingSuccess.getInstance();
        });
    try {
      Governor.SettingsReply late =
          update(governor, new GovernorBudget(2, 1500, 500), null, Set.of("max_rows_per_second"), Duration.ofSeconds(15));
      assertInstanceOf(Governor.SettingsUnavailable.class, late);
      assertTrue(((Governor.SettingsUnavailable) late).reason().contains("did not confirm"), late::toString);

      // Not sent to the store given up on, where it would wait out its own deadline.
      Governor.SettingsReply next =
          update(governor, new GovernorBudget(2, 1200, 500), null, Set.of("max_rows_per_second"), Duration.ofSeconds(15));
      assertInstanceOf(Governor.SettingsUnavailable.class, next);
      // Answered at once as unavailable (naming the last failure), not after a store's save timeout.
      assertTrue(
          ((Governor.SettingsUnavailable) next).reason().startsWith("the governor's settings journal is unavailable"),
          next::toString);
      assertEquals(CONFIGURED.budget(), view(governor).budget(), "neither change is in force");
    } finally {
      journalAnswers.countDown();
    }

    // The journal took the first change after all: the next store reads it, and the governor follows.
    GovernorView read = awaitView(governor, view -> assertEquals(1500.0, view.budget().maxRowsPerSecond()));
    assertEquals(SettingsSource.OVERRIDES, read.settings().source());
    assertEquals(1, journal.persistedInStorage(settingsId.id()).size(), "only the change the journal took late");
  }

  @Test
  void overridesLieOverAConfigurationChangedSinceAndCanBeDropped() {
    ActorRef<Governor.Command> first = startAndRead(CONFIGURED);
    applied(
        update(
            first,
            new GovernorBudget(2, 2000, 500),
            withLiveRatios(CONFIGURED.thresholds(), 2.5, 3),
            Set.of("max_rows_per_second", "thresholds.live_ratio_warn")));
    testKit.stop(first);
    GovernorSettings changedFile =
        governorSettings(
            Map.of(
                "backfill.governor.max-concurrent-queries", 3,
                "backfill.governor.max-rows-per-second", 6000,
                "backfill.governor.thresholds.live-ratio-critical", 2));

    ActorRef<Governor.Command> second = testKit.spawn(Governor.create(changedFile, null, settingsId));
    GovernorView read = awaitView(second, view -> assertEquals(SettingsSource.OVERRIDES, view.settings().source()));

    assertEquals(3, read.budget().maxConcurrentQueries(), "a field not changed at run time follows the file");
    assertEquals(2000.0, read.budget().maxRowsPerSecond(), "a field changed at run time wins over the file");
    assertEquals(changedFile.thresholds(), read.thresholds(), "a warning at 2.5 does not fit a critical level of 2");
    Map<String, GovernorView.FieldOverride> overrides = new HashMap<>();
    read.settings().overrides().forEach(override -> overrides.put(override.field(), override));
    assertEquals(6000.0, overrides.get("max_rows_per_second").configured());
    assertTrue(overrides.get("max_rows_per_second").applied());
    assertFalse(overrides.get("thresholds.live_ratio_warn").applied());
    assertTrue(read.settings().problem().contains("thresholds.live_ratio_warn not applied"), read.settings()::toString);

    TestProbe<Governor.SettingsReply> replies = testKit.createTestProbe();
    second.tell(new Governor.ClearOverrides("test", replies.getRef()));
    GovernorView cleared = applied(replies.receiveMessage());

    assertEquals(changedFile.budget(), cleared.budget());
    assertEquals(SettingsSource.CONFIGURATION, cleared.settings().source());
    assertEquals(List.of(), cleared.settings().overrides());
    journal.expectNextPersistedClass(settingsId.id(), OverridesChanged.class);
    journal.expectNextPersistedClass(settingsId.id(), OverridesCleared.class);
    testKit.stop(second);
    ActorRef<Governor.Command> third = testKit.spawn(Governor.create(changedFile, null, settingsId));
    GovernorView again = awaitView(third, view -> assertEquals(SettingsSource.CONFIGURATION, view.settings().source()));
    assertEquals(changedFile.budget(), again.budget());
  }

  @Test
  void theStoreFoldsItsEventsAndRecoversFromASnapshot() {
    TestProbe<GovernorSettingsStore.Report> governor = testKit.createTestProbe();
    EventSourcedBehaviorTestKit<GovernorSettingsStore.Command, GovernorSettingsEvent, GovernorOverrides> store =
        EventSourcedBehaviorTestKit.create(testKit.system(), GovernorSettingsStore.create(settingsId, governor.getRef(), 1));

    // More changes than a snapshot is taken after: the recovery reads the snapshot and what follows it.
    for (int rows = 1001; rows <= 1025; rows++) {
      double value = rows;
      var result =
          store.<GovernorSettingsStore.Report>runCommand(
              replyTo -> new GovernorSettingsStore.Change(Map.of("max_rows_per_second", value), Instant.now(), "test", replyTo));
      assertEquals(value, result.stateOfType(GovernorOverrides.class).fields().get("max_rows_per_second").value());
      assertInstanceOf(GovernorSettingsStore.Saved.class, result.reply());
    }
    store.<GovernorSettingsStore.Report>runCommand(
        replyTo ->
            new GovernorSettingsStore.Change(Map.of("thresholds.live_ratio_warn", 2.0), Instant.now(), "test", replyTo));

    GovernorOverrides recovered = store.restart().state();

    assertEquals(Set.of("max_rows_per_second", "thresholds.live_ratio_warn"), recovered.fields().keySet());
    assertEquals(1025.0, recovered.fields().get("max_rows_per_second").value());
    store.snapshotTestKit().orElseThrow().expectNextPersistedClass(settingsId.id(), GovernorOverrides.class);

    var cleared =
        store.<GovernorSettingsStore.Report>runCommand(
            replyTo -> new GovernorSettingsStore.Clear(Instant.now(), "test", replyTo));
    assertEquals(GovernorOverrides.NONE, cleared.state());
    assertEquals(GovernorOverrides.NONE, store.restart().state());
  }

  /** A governor on this test's journal stream, once it has read it. */
  private ActorRef<Governor.Command> startAndRead(GovernorSettings settings) {
    ActorRef<Governor.Command> governor = testKit.spawn(Governor.create(settings, null, settingsId));
    awaitView(governor, view -> assertTrue(view.settings().source() != SettingsSource.READING_JOURNAL));
    return governor;
  }

  private static Governor.SettingsReply update(
      ActorRef<Governor.Command> governor, GovernorBudget budget, HealthThresholds thresholds, Set<String> fields) {
    return update(governor, budget, thresholds, fields, Duration.ofSeconds(10));
  }

  private static Governor.SettingsReply update(
      ActorRef<Governor.Command> governor,
      GovernorBudget budget,
      HealthThresholds thresholds,
      Set<String> fields,
      Duration patience) {
    TestProbe<Governor.SettingsReply> replies = testKit.createTestProbe();
    governor.tell(new Governor.Update(budget, thresholds, fields, "test", replies.getRef()));
    return replies.receiveMessage(patience);
  }

  private static Governor.LeaseReply lease(ActorRef<Governor.Command> governor) {
    TestProbe<Governor.LeaseReply> leases = testKit.createTestProbe();
    governor.tell(new Governor.AcquireLease("job-1", 1, null, 10, "node-a", null, leases.getRef()));
    return leases.receiveMessage();
  }

  private static void awaitLeaseGranted(ActorRef<Governor.Command> governor) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> {
          Governor.LeaseReply reply = lease(governor);
          assertInstanceOf(Governor.LeaseGranted.class, reply, reply::toString);
          return reply;
        });
  }

  /**
   * From now on every reading of this test's journal stream that includes its first change
   * fails, as one would whose event no longer deserializes after an upgrade. Its highest sequence
   * number still reads, and so does what follows a snapshot after it.
   */
  private void firstChangeNoLongerReads() {
    journal.failNextNOpsCond(
        (persistenceId, operation) ->
            persistenceId.equals(settingsId.id())
                && operation instanceof ReadEvents read
                && read.getBatch().stream()
                    .anyMatch(event -> event instanceof PersistentRepr repr && repr.sequenceNr() == 1),
        Integer.MAX_VALUE);
  }

  private static GovernorView applied(Governor.SettingsReply reply) {
    assertInstanceOf(Governor.SettingsApplied.class, reply);
    return ((Governor.SettingsApplied) reply).view();
  }

  private static String refusal(Governor.SettingsReply reply) {
    assertInstanceOf(Governor.SettingsRefused.class, reply);
    return ((Governor.SettingsRefused) reply).reason();
  }

  private static GovernorView view(ActorRef<Governor.Command> governor) {
    TestProbe<GovernorView> views = testKit.createTestProbe();
    governor.tell(new Governor.GetView(views.getRef()));
    return views.receiveMessage();
  }

  private static GovernorView awaitView(ActorRef<Governor.Command> governor, Consumer<GovernorView> check) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    return waiter.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(50),
        () -> {
          GovernorView view = view(governor);
          check.accept(view);
          return view;
        });
  }

  private static HealthThresholds withLiveRatios(HealthThresholds thresholds, double warn, double critical) {
    return new HealthThresholds(
        thresholds.probeLatencyWarnMs(),
        thresholds.probeLatencyCriticalMs(),
        thresholds.activeBackendsWarn(),
        thresholds.activeBackendsCritical(),
        thresholds.replicationLagWarnMs(),
        thresholds.replicationLagCriticalMs(),
        thresholds.hysteresis(),
        thresholds.resumeAfter(),
        warn,
        critical);
  }

  /** The node's configuration with these keys changed. */
  private static GovernorSettings governorSettings(Map<String, Object> changed) {
    return governorSettings(changed, Map.of());
  }

  private static GovernorSettings governorSettings(Map<String, Object> changed, Map<String, Object> more) {
    Map<String, Object> keys = new HashMap<>(changed);
    keys.putAll(more);
    return GovernorSettings.create(
        ConfigFactory.load(ConfigFactory.parseMap(keys).withFallback(ConfigFactory.parseResources("application.conf"))));
  }
}
