package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdaptiveBudgetPolicyTest {

  private static final double EPSILON = 1e-9;
  private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");

  private final AdaptiveBudgetPolicy policy =
      new AdaptiveBudgetPolicy(
          GovernorBudget.defaults(), HealthThresholds.defaults(), AimdSettings.defaults(), T0);

  /** Sample time, as seconds after T0: the policy's only clock. */
  private static Instant at(double seconds) {
    return T0.plusMillis(Math.round(seconds * 1000));
  }

  private static HealthSample healthy(double seconds) {
    return new HealthSample(at(seconds), 5, 10, null);
  }

  private static HealthSample backends(double seconds, int activeBackends) {
    return new HealthSample(at(seconds), 5, activeBackends, null);
  }

  private static HealthSample latency(double seconds, double latencyMs) {
    return new HealthSample(at(seconds), latencyMs, 10, null);
  }

  private static HealthSample lag(double seconds, double lagMs) {
    return new HealthSample(at(seconds), 5, 10, lagMs);
  }

  /** Healthy samples at 1..5 s take slow start from 5% to the full budget. */
  private void growToFullBudget() {
    for (int second = 1; second <= 5; second++) {
      policy.onSample(healthy(second));
    }
    assertEquals(1.0, policy.current().fraction(), EPSILON);
  }

  @Test
  void startsInSlowStartAtTheFloor() {
    Decision decision = policy.current();

    assertEquals(GovernorMode.SLOW_START, decision.mode());
    assertEquals(0.05, decision.fraction(), EPSILON);
    assertEquals(250, decision.rowsPerSecond(), EPSILON);
    assertEquals(75, decision.queryMillisPerSecond(), EPSILON);
    assertEquals(1, decision.concurrency());
    assertEquals("slow start: 5% of the budget", decision.reason());
    assertEquals(List.of(), decision.signals());
    assertFalse(decision.paused());
    assertEquals(Optional.empty(), policy.lastCriticalAt());
  }

  @Test
  void slowStartDoublesUpToTheCeilingThenTurnsSteady() {
    double[] expected = {0.1, 0.2, 0.4, 0.8};
    for (int i = 0; i < expected.length; i++) {
      Decision decision = policy.onSample(healthy(i + 1));
      assertEquals(GovernorMode.SLOW_START, decision.mode());
      assertEquals(expected[i], decision.fraction(), EPSILON);
    }
    assertEquals("slow start: 80% of the budget", policy.current().reason());

    Decision atCeiling = policy.onSample(healthy(5));

    assertEquals(GovernorMode.STEADY, atCeiling.mode());
    assertEquals(1.0, atCeiling.fraction(), EPSILON);
    assertEquals(5000, atCeiling.rowsPerSecond(), EPSILON);
    assertEquals(2, atCeiling.concurrency());
    assertEquals("healthy", atCeiling.reason());
  }

  @Test
  void increasesAdditivelyWhileHealthy() {
    growToFullBudget();
    policy.onSample(backends(6, 50));

    Decision first = policy.onSample(healthy(7));

    assertEquals(GovernorMode.STEADY, first.mode());
    assertEquals(0.55, first.fraction(), EPSILON);
    assertEquals("healthy: 55% of the budget and rising", first.reason());
    for (int second = 8; second <= 16; second++) {
      policy.onSample(healthy(second));
    }
    assertEquals(1.0, policy.current().fraction(), EPSILON);
    assertEquals(1.0, policy.onSample(healthy(17)).fraction(), EPSILON);
    assertEquals("healthy", policy.current().reason());
  }

  @Test
  void decreasesMultiplicativelyOnAWarning() {
    growToFullBudget();

    Decision decision = policy.onSample(backends(6, 55));

    assertEquals(GovernorMode.BACKING_OFF, decision.mode());
    assertEquals(0.5, decision.fraction(), EPSILON);
    assertEquals(2500, decision.rowsPerSecond(), EPSILON);
    assertEquals(750, decision.queryMillisPerSecond(), EPSILON);
    assertEquals(1, decision.concurrency());
    assertEquals(
        "active backends 55 is at or over the warning 40: backing off to 50% of the budget",
        decision.reason());
    assertEquals(0.25, policy.onSample(backends(7, 55)).fraction(), EPSILON);
  }

  @Test
  void decreasesAtMostOncePerSecondOfSampleTime() {
    growToFullBudget();

    assertEquals(0.5, policy.onSample(backends(6.0, 50)).fraction(), EPSILON);
    assertEquals(0.5, policy.onSample(backends(6.4, 50)).fraction(), EPSILON);
    assertEquals(0.5, policy.onSample(backends(6.999, 50)).fraction(), EPSILON);
    assertEquals(0.25, policy.onSample(backends(7.0, 50)).fraction(), EPSILON);
    assertEquals(0.25, policy.onSample(backends(7.5, 50)).fraction(), EPSILON);
    assertEquals(0.125, policy.onSample(backends(8.0, 50)).fraction(), EPSILON);
  }

  @Test
  void aHealthySampleBetweenWarningsDoesNotAllowAnEarlierDecrease() {
    growToFullBudget();
    policy.onSample(backends(6.0, 50));
    assertEquals(0.55, policy.onSample(healthy(6.3)).fraction(), EPSILON);

    Decision decision = policy.onSample(backends(6.6, 50));

    assertEquals(GovernorMode.BACKING_OFF, decision.mode());
    assertEquals(0.55, decision.fraction(), EPSILON);
  }

  @Test
  void neverDecreasesBelowTheFloor() {
    for (int second = 1; second <= 10; second++) {
      policy.onSample(backends(second, 50));
    }

    Decision decision = policy.current();
    assertEquals(0.05, decision.fraction(), EPSILON);
    assertEquals(GovernorMode.BACKING_OFF, decision.mode());
    assertEquals(
        "active backends 50 is at or over the warning 40: backing off to 5% of the budget",
        decision.reason());
  }

  @Test
  void theHysteresisBandHoldsTheRateAfterAWarning() {
    growToFullBudget();
    policy.onSample(backends(6, 45));

    Decision justUnderWarn = policy.onSample(backends(7, 39));

    assertEquals(GovernorMode.BACKING_OFF, justUnderWarn.mode());
    assertEquals(0.5, justUnderWarn.fraction(), EPSILON);
    assertEquals(SignalReading.HOLDING, justUnderWarn.signals().get(1).state());
    assertEquals(
        "active backends 39 is under the warning 40 but not yet below 32: holding at 50% of the"
            + " budget",
        justUnderWarn.reason());
    assertEquals(0.5, policy.onSample(backends(8, 32)).fraction(), EPSILON);

    Decision clear = policy.onSample(backends(9, 31));

    assertEquals(GovernorMode.STEADY, clear.mode());
    assertEquals(0.55, clear.fraction(), EPSILON);
  }

  @Test
  void holdingDuringSlowStartStaysInSlowStart() {
    Decision holding = policy.onSample(backends(1, 35));

    assertEquals(GovernorMode.SLOW_START, holding.mode());
    assertEquals(0.05, holding.fraction(), EPSILON);
    assertEquals(0.1, policy.onSample(healthy(2)).fraction(), EPSILON);
  }

  @Test
  void aCriticalSignalPausesEveryJobAtOnce() {
    growToFullBudget();

    Decision decision = policy.onSample(latency(6, 310));

    assertTrue(decision.paused());
    assertEquals(GovernorMode.PAUSED, decision.mode());
    assertEquals(0, decision.rowsPerSecond());
    assertEquals(0, decision.queryMillisPerSecond());
    assertEquals(0, decision.concurrency());
    assertEquals(0, decision.fraction());
    assertEquals(
        "probe latency 310 ms is at or over the critical 250 ms: every job paused",
        decision.reason());
    assertEquals(Optional.of(at(6)), policy.lastCriticalAt());
  }

  @Test
  void thePauseReasonNamesTheFirstCriticalSignal() {
    Decision decision = policy.onSample(new HealthSample(at(1), 20, 130, 40_000.0));

    assertEquals(
        "active backends 130 is at or over the critical 120: every job paused", decision.reason());
  }

  @Test
  void resumesOnlyAfterEverySignalHasBeenClearForResumeAfter() {
    growToFullBudget();
    policy.onSample(latency(6, 400));

    for (int second = 7; second <= 11; second++) {
      assertTrue(policy.onSample(healthy(second)).paused());
    }
    assertEquals(
        "paused until the primary is healthy for 5 s (4 s so far)", policy.current().reason());

    Decision resumed = policy.onSample(healthy(12));

    assertEquals(GovernorMode.SLOW_START, resumed.mode());
    assertEquals(0.05, resumed.fraction(), EPSILON);
    assertEquals(250, resumed.rowsPerSecond(), EPSILON);
    assertEquals(1, resumed.concurrency());
    assertEquals("healthy for 5 s: slow start from 5% of the budget", resumed.reason());
  }

  @Test
  void aWarningWhilePausedRestartsTheResumeClock() {
    policy.onSample(latency(1, 400));
    for (int second = 2; second <= 5; second++) {
      policy.onSample(healthy(second));
    }

    Decision warned = policy.onSample(backends(6, 50));

    assertTrue(warned.paused());
    assertEquals(
        "paused until the primary is healthy for 5 s (0 s so far): active backends 50 is at or"
            + " over the warning 40",
        warned.reason());
    for (int second = 7; second <= 11; second++) {
      assertTrue(policy.onSample(healthy(second)).paused(), "still paused at " + second + " s");
    }
    assertEquals(GovernorMode.SLOW_START, policy.onSample(healthy(12)).mode());
  }

  @Test
  void aHoldingSignalWhilePausedAlsoRestartsTheResumeClock() {
    policy.onSample(latency(1, 400));
    for (int second = 2; second <= 5; second++) {
      policy.onSample(healthy(second));
    }

    Decision holding = policy.onSample(backends(6, 35));

    assertTrue(holding.paused());
    assertEquals(
        "paused until the primary is healthy for 5 s (0 s so far): active backends 35 is under"
            + " the warning 40 but not yet below 32",
        holding.reason());
    for (int second = 7; second <= 11; second++) {
      assertTrue(policy.onSample(healthy(second)).paused(), "still paused at " + second + " s");
    }
    assertFalse(policy.onSample(healthy(12)).paused());
  }

  @Test
  void afterAPauseSlowStartDoublesOnlyToHalfTheFractionBeforeIt() {
    growToFullBudget();
    policy.onSample(latency(6, 400));
    for (int second = 7; second <= 12; second++) {
      policy.onSample(healthy(second));
    }
    assertEquals(0.05, policy.current().fraction(), EPSILON);

    assertEquals(0.1, policy.onSample(healthy(13)).fraction(), EPSILON);
    assertEquals(0.2, policy.onSample(healthy(14)).fraction(), EPSILON);
    assertEquals(GovernorMode.SLOW_START, policy.onSample(healthy(15)).mode());
    Decision atCeiling = policy.onSample(healthy(16));
    assertEquals(0.5, atCeiling.fraction(), EPSILON);
    assertEquals(GovernorMode.STEADY, atCeiling.mode());
    assertEquals(0.55, policy.onSample(healthy(17)).fraction(), EPSILON);
  }

  @Test
  void repeatedCriticalSamplesKeepTheFractionFromBeforeThePause() {
    policy.onSample(healthy(1));
    policy.onSample(healthy(2));
    policy.onSample(healthy(3));
    assertEquals(0.4, policy.current().fraction(), EPSILON);
    policy.onSample(latency(4, 400));
    policy.onSample(latency(5, 400));
    for (int second = 6; second <= 11; second++) {
      policy.onSample(healthy(second));
    }
    assertEquals(GovernorMode.SLOW_START, policy.current().mode());

    assertEquals(0.1, policy.onSample(healthy(12)).fraction(), EPSILON);
    Decision atCeiling = policy.onSample(healthy(13));
    assertEquals(0.2, atCeiling.fraction(), EPSILON);
    assertEquals(GovernorMode.STEADY, atCeiling.mode());
  }

  @Test
  void anAbsentReplicationLagIsIgnored() {
    Decision decision = policy.onSample(healthy(1));

    SignalReading lag = decision.signals().get(2);
    assertEquals(SignalReading.REPLICATION_LAG_MS, lag.name());
    assertNull(lag.value());
    assertEquals(SignalReading.ABSENT, lag.state());
    assertEquals(GovernorMode.SLOW_START, decision.mode());
    assertEquals(0.1, decision.fraction(), EPSILON);
  }

  @Test
  void aPresentReplicationLagCounts() {
    growToFullBudget();

    assertEquals(
        "replication lag 6000 ms is at or over the warning 5000 ms: backing off to 50% of the"
            + " budget",
        policy.onSample(lag(6, 6_000)).reason());
    assertTrue(policy.onSample(lag(7, 30_000)).paused());
  }

  @Test
  void aBudgetUpdateChangesTheRatesAtOnce() {
    growToFullBudget();

    policy.updateBudget(new GovernorBudget(8, 20_000, 4_000));

    assertEquals(new GovernorBudget(8, 20_000, 4_000), policy.budget());
    Decision decision = policy.current();
    assertEquals(GovernorMode.STEADY, decision.mode());
    assertEquals(1.0, decision.fraction(), EPSILON);
    assertEquals(20_000, decision.rowsPerSecond(), EPSILON);
    assertEquals(4_000, decision.queryMillisPerSecond(), EPSILON);
    assertEquals(8, decision.concurrency());
    Decision halved = policy.onSample(backends(6, 50));
    assertEquals(10_000, halved.rowsPerSecond(), EPSILON);
    assertEquals(4, halved.concurrency());
  }

  @Test
  void aBudgetUpdateWhilePausedAllowsNothing() {
    policy.onSample(latency(1, 400));

    policy.updateBudget(new GovernorBudget(8, 20_000, 4_000));

    assertEquals(0, policy.current().rowsPerSecond());
    assertEquals(0, policy.current().concurrency());
  }

  @Test
  void aThresholdUpdateJudgesTheLatestReadingsAtOnceAndKeepsTheFraction() {
    policy.onSample(backends(1, 35));
    assertEquals(SignalReading.HOLDING, policy.current().signals().get(1).state());

    policy.updateThresholds(
        new HealthThresholds(25, 250, 60, 120, 5_000, 30_000, 0.2, Duration.ofSeconds(5)));

    assertEquals(60, policy.thresholds().activeBackendsWarn());
    Decision decision = policy.current();
    assertEquals(SignalReading.CLEAR, decision.signals().get(1).state());
    assertEquals(60, decision.signals().get(1).warn());
    assertEquals(0.05, decision.fraction(), EPSILON);
    assertEquals(GovernorMode.SLOW_START, decision.mode());
    assertEquals(0.1, policy.onSample(backends(2, 35)).fraction(), EPSILON);
  }

  @Test
  void aShorterResumeAfterTakesEffectForTheNextSample() {
    policy.onSample(latency(1, 400));
    policy.onSample(healthy(2));

    policy.updateThresholds(
        new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.2, Duration.ofSeconds(1)));

    assertEquals(GovernorMode.SLOW_START, policy.onSample(healthy(3)).mode());
  }

  @Test
  void decisionsCarryTheSignalReadings() {
    Decision decision = policy.onSample(new HealthSample(at(1), 12.5, 35, 100.0));

    assertEquals(
        List.of(
            new SignalReading(SignalReading.PROBE_LATENCY_MS, 12.5, 25, 250, SignalReading.CLEAR),
            new SignalReading(SignalReading.ACTIVE_BACKENDS, 35.0, 40, 120, SignalReading.HOLDING),
            new SignalReading(
                SignalReading.REPLICATION_LAG_MS, 100.0, 5_000, 30_000, SignalReading.CLEAR),
            new SignalReading(SignalReading.LIVE_LATENCY_RATIO, null, 1.25, 3.0, SignalReading.ABSENT)),
        decision.signals());
    assertEquals(decision, policy.current());
  }

  @Test
  void concurrencyFollowsTheFractionButIsAtLeastOneAndAtMostTheMaximum() {
    AdaptiveBudgetPolicy eight =
        new AdaptiveBudgetPolicy(
            new GovernorBudget(8, 5000, 1500),
            HealthThresholds.defaults(),
            AimdSettings.defaults(),
            T0);

    assertEquals(1, eight.current().concurrency());
    assertEquals(1, eight.onSample(healthy(1)).concurrency());
    assertEquals(2, eight.onSample(healthy(2)).concurrency());
    assertEquals(3, eight.onSample(healthy(3)).concurrency());
    assertEquals(6, eight.onSample(healthy(4)).concurrency());
    assertEquals(8, eight.onSample(healthy(5)).concurrency());
    assertEquals(8, eight.onSample(healthy(6)).concurrency());
  }

  @Test
  void aClockSteppingBackDoesNotHoldOffTheNextDecrease() {
    growToFullBudget();
    assertEquals(0.5, policy.onSample(backends(6, 50)).fraction(), EPSILON);

    assertEquals(0.25, policy.onSample(backends(3, 50)).fraction(), EPSILON);
  }
}
