package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeLimitsTest {

  private static final GovernorBudget BUDGET = GovernorBudget.defaults();
  private static final HealthThresholds THRESHOLDS = HealthThresholds.defaults();

  @Test
  void aClaimIsServedUpToTheTopOfEachRangeAndRefusedJustPastIt() {
    assertNull(RuntimeLimits.claimRefusal(1000, null));
    assertNull(RuntimeLimits.claimRefusal(1, 1_000_000.0));
    assertNull(RuntimeLimits.claimRefusal(1e-9, 1e-9));
    assertEquals(
        "priority must be a number in (0, 1000], was 1000.5", RuntimeLimits.claimRefusal(1000.5, null));
    assertEquals(
        "max_calls_per_second must be a number in (0, 1000000], was 1000000.5",
        RuntimeLimits.claimRefusal(1, 1_000_000.5));
  }

  @Test
  void aClaimThatIsNotFiniteOrHugeIsRefused() {
    assertEquals(
        "priority must be a number in (0, 1000], was 1.0E305", RuntimeLimits.claimRefusal(1e305, null));
    assertEquals(
        "priority must be a number in (0, 1000], was Infinity",
        RuntimeLimits.claimRefusal(Double.POSITIVE_INFINITY, null));
    assertEquals(
        "priority must be a number in (0, 1000], was NaN", RuntimeLimits.claimRefusal(Double.NaN, null));
    assertEquals(
        "max_calls_per_second must be a number in (0, 1000000], was Infinity",
        RuntimeLimits.claimRefusal(1, Double.POSITIVE_INFINITY));
  }

  @Test
  void aBudgetMayBeChangedUpToTheTopOfEachRange() {
    assertEquals(Map.of(), RuntimeLimits.refusedChanges(BUDGET, new GovernorBudget(64, 1_000_000, 64_000)));
    assertEquals(Map.of(), RuntimeLimits.refusedChanges(BUDGET, new GovernorBudget(1, 1e-3, 1e-3)));
  }

  @Test
  void aBudgetChangedPastARangeIsRefusedFieldByField() {
    assertEquals(
        Map.of("max_rows_per_second", "must be a number in (0, 1000000], was 1.0E300"),
        RuntimeLimits.refusedChanges(BUDGET, new GovernorBudget(2, 1e300, 1500)));
    assertEquals(
        Map.of(
            "max_concurrent_queries", "must be a whole number in [1, 64], was 65",
            "max_query_millis_per_second", "must be a number in (0, 64000], was 64000.5"),
        RuntimeLimits.refusedChanges(BUDGET, new GovernorBudget(65, 5000, 64_000.5)));
  }

  @Test
  void aValueKeptAsItIsIsNotJudged() {
    // A node configured above a range keeps running, and a change of another field goes through.
    GovernorBudget configured = new GovernorBudget(2, 2_000_000, 1500);

    assertEquals(Map.of(), RuntimeLimits.refusedChanges(configured, new GovernorBudget(3, 2_000_000, 1500)));
  }

  @Test
  void thresholdsMayBeChangedUpToTheTopOfEachRange() {
    HealthThresholds widest =
        new HealthThresholds(
            599_999, 600_000, 99_999, 100_000, 86_399_999, 86_400_000, 0.9, Duration.ofHours(1), 100, 1000);

    assertEquals(Map.of(), RuntimeLimits.refusedChanges(THRESHOLDS, widest));
  }

  @Test
  void thresholdsChangedPastARangeAreRefusedFieldByField() {
    HealthThresholds tooWide =
        new HealthThresholds(
            25, 600_001, 40, 100_001, 5_000, 86_400_001, 0.2, Duration.ofMillis(3_600_001), 100.5, 1e300);

    assertEquals(
        Map.of(
            "probe_latency_critical_ms", "must be a number in (0, 600000], was 600001",
            "active_backends_critical", "must be a whole number in [1, 100000], was 100001",
            "replication_lag_critical_ms", "must be a number in (0, 86400000], was 86400001",
            "resume_after_ms", "must be a whole number in [0, 3600000], was 3600001",
            "live_ratio_warn", "must be a number in (1, 100], was 100.5",
            "live_ratio_critical", "must be a number in (1, 1000], was 1.0E300"),
        RuntimeLimits.refusedChanges(THRESHOLDS, tooWide));
  }
}
