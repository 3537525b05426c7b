package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.BehaviorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.junit.jupiter.api.Test;

/**
 * The governor actor refuses a bad number that got past the API, instead of throwing on it (which
 * would restart it with an empty state, every job's share and every change lost, and again at the
 * next bad message). Run synchronously by BehaviorTestKit: its timers are recorded, never fired,
 * so no probe runs (there is no primary: the probe is null) and nothing here waits for time.
 */
class GovernorRefusesBadValuesTest {

  private static final GovernorSettings SETTINGS =
      GovernorSettings.create(ConfigFactory.load(ConfigFactory.parseResources("application.conf")));

  private final BehaviorTestKit<Governor.Command> governor =
      BehaviorTestKit.create(Governor.create(SETTINGS, null));

  @Test
  void aBudgetOutOfRangeIsRefusedWithTheReasonAndThePreviousBudgetStays() {
    GovernorBudget configured = SETTINGS.budget();

    Governor.SettingsReply reply =
        update(new GovernorBudget(configured.maxConcurrentQueries(), 1e300, configured.maxQueryMillisPerSecond()), null);

    assertEquals(
        "max_rows_per_second must be a number in (0, 1000000], was 1.0E300", refusal(reply));
    assertEquals(configured, view().budget());
  }

  @Test
  void tooManyConnectionsAreRefused() {
    // Each allowed connection is a slot kept in memory: a million would be a million slots.
    Governor.SettingsReply reply = update(new GovernorBudget(1_000_000, 5000, 500), null);

    assertTrue(refusal(reply).contains("max_concurrent_queries must be a whole number in [1, 64]"));
    assertEquals(SETTINGS.budget(), view().budget());
  }

  @Test
  void aChangeWithOneBadValueChangesNothing() {
    HealthThresholds configured = SETTINGS.thresholds();
    HealthThresholds criticalAt1e300 =
        new HealthThresholds(
            configured.probeLatencyWarnMs(),
            configured.probeLatencyCriticalMs(),
            configured.activeBackendsWarn(),
            configured.activeBackendsCritical(),
            configured.replicationLagWarnMs(),
            configured.replicationLagCriticalMs(),
            configured.hysteresis(),
            configured.resumeAfter(),
            configured.liveRatioWarn(),
            1e300);

    Governor.SettingsReply reply = update(new GovernorBudget(3, 4000, 1000), criticalAt1e300);

    assertEquals("live_ratio_critical must be a number in (1, 1000], was 1.0E300", refusal(reply));
    GovernorView after = view();
    assertEquals(SETTINGS.budget(), after.budget());
    assertEquals(configured, after.thresholds());
  }

  @Test
  void itTakesAGoodChangeAfterRefusingABadOne() {
    assertTrue(update(new GovernorBudget(2, 1e300, 500), null) instanceof Governor.SettingsRefused);

    Governor.SettingsReply reply = update(new GovernorBudget(3, 4000, 1000), null);

    assertTrue(reply instanceof Governor.SettingsApplied, reply::toString);
    assertEquals(new GovernorBudget(3, 4000, 1000), ((Governor.SettingsApplied) reply).view().budget());
  }

  @Test
  void aClaimAboveItsRangeReadsAsTheTopAndOneNoRangeHoldsIsDeniedWithTheReason() {
    // Journaled before the API had ranges: the job goes on, at the top of the range.
    lease("greedy", 1e305, null);
    lease("endless", Double.POSITIVE_INFINITY, null);
    lease("uncapped", 1, 1e300);
    assertDenied(lease("nonsense", Double.NaN, null), "priority must be a number in (0, 1000]");

    Map<String, GovernorView.JobShare> shares =
        view().jobs().stream().collect(Collectors.toMap(GovernorView.JobShare::jobId, share -> share));
    assertEquals(Set.of("greedy", "endless", "uncapped"), shares.keySet(), "the denied claim takes no share");
    assertEquals(1000.0, shares.get("greedy").weight());
    assertEquals(1000.0, shares.get("endless").weight());
    assertNull(shares.get("uncapped").maxRowsPerSecond());
    assertTrue(shares.values().stream().allMatch(share -> Double.isFinite(share.rowsPerSecond())), shares::toString);
  }

  private static void assertDenied(Governor.LeaseReply reply, String reason) {
    assertTrue(
        reply instanceof Governor.LeaseDenied denied && denied.reason().contains(reason), reply::toString);
  }

  private Governor.LeaseReply lease(String jobId, double priority, Double maxCallsPerSecond) {
    TestInbox<Governor.LeaseReply> replies = TestInbox.create();
    governor.run(new Governor.AcquireLease(jobId, priority, maxCallsPerSecond, 10, "node-a", null, replies.getRef()));
    return replies.receiveMessage();
  }

  /** Every field whose value differs from the one in force (fields null). */
  private Governor.SettingsReply update(GovernorBudget budget, HealthThresholds thresholds) {
    TestInbox<Governor.SettingsReply> replies = TestInbox.create();
    governor.run(new Governor.Update(budget, thresholds, null, "test", replies.getRef()));
    return replies.receiveMessage();
  }

  private static String refusal(Governor.SettingsReply reply) {
    assertTrue(reply instanceof Governor.SettingsRefused, reply::toString);
    return ((Governor.SettingsRefused) reply).reason();
  }

  private GovernorView view() {
    TestInbox<GovernorView> views = TestInbox.create();
    governor.run(new Governor.GetView(views.getRef()));
    return views.receiveMessage();
  }
}
