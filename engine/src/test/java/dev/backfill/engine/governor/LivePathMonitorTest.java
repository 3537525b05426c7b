package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The live path's monitor on a fake clock: 20 probes a second, as configured by default. */
class LivePathMonitorTest {

  private static final long MS = 1_000_000L;
  private static final long PROBE = 50 * MS;

  private final LivePathSettings settings = LivePathSettings.defaults();
  private LivePathMonitor monitor = new LivePathMonitor(settings);
  private long now;

  /** The ratio for {@code addedMs} over the reference, as a share of these settings' 2 ms live path. */
  private static double withAdded(double addedMs) {
    return (2.0 + addedMs) / 2.0;
  }

  /** Probes every 50 ms for {@code millis}, each taking {@code latency} ms. */
  private void probe(long millis, double latency, boolean engineQuiet, boolean jobsWaiting) {
    for (long end = now + millis * MS; now < end; ) {
      now += PROBE;
      monitor.onProbe(now, latency, engineQuiet, engineQuiet, jobsWaiting);
    }
  }

  /** Three seconds of probes while the engine works, one in eight of them waiting 6 ms instead of 1. */
  private void probeBursts() {
    probeBursts(6.0);
  }

  /** Three seconds of probes while the engine works, one in eight of them waiting {@code slowMs}. */
  private void probeBursts(double slowMs) {
    for (int i = 0; i < 60; i++) {
      now += PROBE;
      monitor.onProbe(now, i % 8 == 0 ? slowMs : 1.0, false, false, true);
    }
  }

  @Test
  void whileNoJobRunsEveryProbeKeepsTheBaselineCurrent() {
    assertNull(monitor.baseline());
    probe(2_000, 1.0, true, false);
    assertEquals(1.0, monitor.baseline().medianMs());
    probe(20_000, 2.0, true, false);
    assertEquals(2.0, monitor.baseline().medianMs());
    assertFalse(monitor.holdForQuiet(now));
  }

  /** A quiet moment (due 15 s after jobs start) whose 30 probes take 1 ms, but {@code slow} of them 8 ms. */
  private void quietMomentWithSlowProbes(int slow) {
    probe(LivePathMonitor.FIRST_REFRESH_AFTER_JOBS_START.toMillis() + 100, 1.0, false, true);
    assertTrue(monitor.holdForQuiet(now));
    for (int i = 0; i < settings.quietProbes(); i++) {
      now += PROBE;
      monitor.onProbe(now, i < slow ? 8.0 : 1.0, true, true, true);
    }
    assertFalse(monitor.inQuietMoment(), "the moment learned its baseline");
  }

  /** The next quiet moment, due when the baseline is {@code baseline-refresh} old, as {@link #quietMomentWithSlowProbes}. */
  private void refreshWithSlowProbes(int slow) {
    probe(settings.baselineRefresh().toMillis(), 1.0, false, true);
    quietMomentWithSlowProbes(slow);
  }

  @Test
  void theBaselinesTailIsReadFromQuietProbesPooledAcrossMomentsNotFromOneMomentsSlowest() {
    probe(10_000, 1.0, true, false);
    quietMomentWithSlowProbes(0);
    refreshWithSlowProbes(2);
    // Two slow probes in one moment's 30 are its 95th percentile; among the last 60 quiet probes
    // of two moments they are not.
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9);
    assertEquals(60, monitor.baseline().probes());
    refreshWithSlowProbes(0);
    refreshWithSlowProbes(0);
    refreshWithSlowProbes(4);
    assertEquals(100, monitor.baseline().probes(), "as many as the 5 s tail span holds");
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9, "4 slow among 100 are not their 95th percentile, as they were of one moment's 30");
    assertEquals(1.0, monitor.baseline().medianMs(), 1e-9);
  }

  @Test
  void theFirstQuietMomentAfterJobsStartForgetsTheIdleProbesInThePool() {
    // The node starting up: idle probes are slow, and the idle baseline with them.
    probe(10_000, 3.0, true, false);
    assertEquals(3.0, monitor.baseline().tailMs(), 1e-9);
    quietMomentWithSlowProbes(0);
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9);
    assertEquals(settings.quietProbes(), monitor.baseline().probes());
  }

  /** The shipped tail: the 99th percentile over a 20 s span (400 probes), quiet moments of at most 7 s. */
  private static LivePathSettings shippedTail() {
    var d = LivePathSettings.defaults();
    return new LivePathSettings(
        d.probeInterval(), d.recentSpan(), Duration.ofSeconds(20), 99, d.baselineRefresh(), d.quietSettle(),
        d.quietProbes(), Duration.ofSeconds(7), d.liveLatency(), d.untouchedTailExcuse(), false);
  }

  @Test
  void aTailIsReadFromTheFewestProbesWhosePercentileIsNotTheirSlowest() {
    assertEquals(100, LivePathMonitor.tailProbesWanted(99, 30, 400));
    assertEquals(30, LivePathMonitor.tailProbesWanted(95, 30, 100), "20 are fewer than a moment's own");
    assertEquals(10, LivePathMonitor.tailProbesWanted(90, 5, 400));
    assertEquals(400, LivePathMonitor.tailProbesWanted(99.9, 30, 400), "no more than the pool holds");
  }

  @Test
  void theFirstQuietMomentAfterJobsStartGoesOnUntilTheTailIsNotItsSlowestProbe() {
    monitor = new LivePathMonitor(shippedTail());
    probe(10_000, 3.0, true, false);
    probe(LivePathMonitor.FIRST_REFRESH_AFTER_JOBS_START.toMillis() + 100, 1.0, false, true);
    assertTrue(monitor.holdForQuiet(now));
    // One stall among the moment's probes: the slowest of 30 (3.5 ms), the second slowest of 100.
    for (int i = 0; i < 99; i++) {
      now += PROBE;
      monitor.onProbe(now, i == 7 ? 3.5 : 1.0, true, true, true);
      assertTrue(monitor.inQuietMoment(), "the moment goes on past its 30 probes, at probe " + (i + 1));
    }
    now += PROBE;
    monitor.onProbe(now, 1.0, true, true, true);
    assertFalse(monitor.inQuietMoment());
    assertEquals(100, monitor.baseline().probes());
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9, "one moment's 30 would read 3.5");
    assertFalse(monitor.learnedIdle());
  }

  @Test
  void aFirstQuietMomentThatRunsOutOfTimeLearnsFromTheProbesItHas() {
    var shipped = shippedTail();
    monitor = new LivePathMonitor(shipped);
    probe(10_000, 3.0, true, false);
    probe(LivePathMonitor.FIRST_REFRESH_AFTER_JOBS_START.toMillis() + 100, 1.0, false, true);
    assertTrue(monitor.holdForQuiet(now));
    long start = now;
    // Probes come late, one every 100 ms: 70 in the moment's 7 s.
    while (now - start <= shipped.quietMax().toNanos()) {
      now += 2 * PROBE;
      monitor.onProbe(now, 1.0, true, true, true);
      assertTrue(monitor.holdForQuiet(now) || now - start > shipped.quietMax().toNanos());
    }
    assertFalse(monitor.holdForQuiet(now));
    assertFalse(monitor.learnedIdle(), "learned in the moment, not kept from idle");
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9);
    assertTrue(monitor.baseline().probes() >= shipped.quietProbes() && monitor.baseline().probes() < 100);
  }

  @Test
  void aPooledTailStillFollowsAPrimaryWhoseQuietProbesAreSlowerForLong() {
    probe(10_000, 1.0, true, false);
    probe(10_000, 1.3, true, false);
    assertEquals(1.3, monitor.baseline().tailMs(), 1e-9, "idle, every probe is pooled: 5 s replace the pool");
    // And faster again: a pool that kept older probes than the tail span holds would stay at 1.3.
    probe(10_000, 1.0, true, false);
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9, "the older, slower probes left the pool");
  }

  @Test
  void quietProbesBetweenThrottledPagesAreNotPooled() {
    probe(10_000, 1.0, true, false);
    // Jobs run; probes with no engine query near them, but no quiet moment: they may follow a burst.
    probe(10_000, 8.0, true, true);
    quietMomentWithSlowProbes(0);
    assertEquals(1.0, monitor.baseline().tailMs(), 1e-9);
  }

  @Test
  void theMeanWaitIsHowLongTheTailSpansProbesLastedPastTheBaselinesMedian() {
    assertNull(monitor.meanWaitMs(now), "no baseline yet");
    probe(12_000, 1.0, true, false);
    assertEquals(0.0, monitor.meanWaitMs(now), 1e-9);
    for (int i = 0; i < 4; i++) {
      probeBursts();
    }
    // One probe in eight waits 6 ms against a 1 ms median: 5 ms past it, counted up to two of
    // these settings' 2 ms live latencies (4 ms), once in eight.
    assertEquals(4.0 / 8, monitor.meanWaitMs(now), 0.02);
  }

  @Test
  void theRatioComparesRecentProbesWithTheBaseline() {
    probe(5_000, 1.0, true, false);
    assertEquals(1.0, monitor.estimate(now).ratio(), 1e-9);
    // The engine runs: every probe takes 2 ms longer, and so would a live request. Probes while
    // the engine works are not quiet, so the baseline stays what the primary does without it.
    probe(1_000, 3.0, false, true);
    assertEquals(withAdded(2.0), monitor.estimate(now).ratio(), 1e-9);
    assertEquals(1.0, monitor.baseline().medianMs());
  }

  @Test
  void aNearZeroBaselineIsNotWhatARiseIsDividedBy() {
    // An idle primary answers the probe in 0.05 ms on its own clock; 0.15 ms is not "three times
    // slower" for a live request that costs far more than that: 0.1 ms added to 2 ms.
    probe(5_000, 0.05, true, false);
    assertEquals(0.05, monitor.baseline().medianMs(), 1e-9);
    probe(1_000, 0.15, false, true);
    assertEquals(withAdded(0.1), monitor.estimate(now).ratio(), 1e-9);
    // A real slowdown still shows.
    probe(5_000, 0.9, false, true);
    assertEquals(withAdded(0.85), monitor.estimate(now).ratio(), 1e-9);
  }

  @Test
  void afterABackOffTheTailIsJudgedOnlyOnFreshProbes() {
    probe(5_000, 1.0, true, false);
    // A burst: one probe in eight waits 6 ms, and the governor backs off.
    probeBursts();
    assertEquals(withAdded(5.0), monitor.estimate(now).ratio(), 1e-9);
    monitor.judgeFrom(now);
    // The burst is over; a second later its probes are still in the 5 s tail, but no longer judged.
    probe(250, 1.0, false, true);
    assertEquals(1.0, monitor.estimate(now).ratio(), 1e-9);
    assertTrue(monitor.estimate(now).tailPending(), "the governor must hold until the tail can be judged again");
    probe(750, 1.0, false, true);
    assertEquals(1.0, monitor.estimate(now).ratio(), 1e-9);
    assertFalse(monitor.estimate(now).tailPending(), "half a second of fresh probes judges the tail");
    // Bursts go on at the lower rate: once fresh probes make a percentile, the tail sees them again.
    probeBursts();
    assertEquals(withAdded(5.0), monitor.estimate(now).ratio(), 1e-9);
    assertFalse(monitor.estimate(now).tailPending());
  }

  @Test
  void oneSlowProbeAmongFewFreshOnesBacksOffButDoesNotPause() {
    probe(5_000, 1.0, true, false);
    // Bursts: one probe in eight waits 4 ms, 1.5x the live path's latency added: the governor
    // backs off (warn 1.25x), far from a pause (critical 3x).
    probeBursts(4.0);
    monitor.judgeFrom(now);
    // Half a second after the back-off: nine quick probes and one of the machine's own 20 ms
    // stalls. Judged on these ten alone the tail is that one probe: far over critical.
    probe(450, 1.0, false, true);
    now += PROBE;
    monitor.onProbe(now, 20.0, false, false, true);
    var estimate = monitor.estimate(now);
    assertEquals(withAdded(19.0), estimate.ratio(), 1e-9);
    // Over the whole tail span (100 probes) one probe is not the 95th percentile; the bursts are.
    assertEquals(withAdded(3.0), estimate.pauseRatio(), 1e-9);
    // So the policy is told to back off further, at the span's ratio, not to pause.
    assertEquals(withAdded(3.0), estimate.judgedRatio(1.25, 3.0), 1e-9);
    // With nothing over warn in the span, still a back-off: the fresh probes did read critical.
    assertEquals(1.25, new LivePathMonitor.Estimate(1.0, 20.0, null, 10.5, false, 1.1).judgedRatio(1.25, 3.0), 1e-9);
  }

  @Test
  void aPrimarySlowForEveryProbeReadsCriticalForAPauseToo() {
    probe(5_000, 1.0, true, false);
    probeBursts();
    monitor.judgeFrom(now);
    probe(4_000, 9.0, false, true);
    var estimate = monitor.estimate(now);
    assertEquals(withAdded(8.0), estimate.ratio(), 1e-9);
    assertEquals(withAdded(8.0), estimate.pauseRatio(), 1e-9);
    assertEquals(withAdded(8.0), estimate.judgedRatio(1.25, 3.0), 1e-9, "a pause");
  }

  @Test
  void aPrimaryThatAnswersFewProbesIsJudgedByItsSlowestOne() {
    probe(5_000, 1.0, true, false);
    // The primary slows so much that it answers a probe every half second: too few for a 95th
    // percentile. The slowest of them speaks for the tail, though the last second's are fast.
    for (int i = 0; i < 10; i++) {
      now += 500 * MS;
      monitor.onProbe(now, i == 1 ? 6.0 : 1.0, false, false, true);
    }
    var estimate = monitor.estimate(now);
    assertEquals(1.0, estimate.recentMedianMs());
    assertEquals(6.0, estimate.recentTailMs());
    assertEquals(withAdded(5.0), estimate.ratio(), 1e-9);
    assertFalse(estimate.tailPending());
  }

  @Test
  void theTailSignalSeesBurstsThatTheMedianMisses() {
    probe(5_000, 1.0, true, false);
    // One probe in eight lands in a page query and waits 6 ms: the median does not move.
    probeBursts();
    var estimate = monitor.estimate(now);
    assertEquals(1.0, estimate.recentMedianMs());
    assertEquals(6.0, estimate.recentTailMs());
    assertEquals(withAdded(5.0), estimate.ratio(), 1e-9);
  }

  @Test
  void noRatioWithoutABaselineOrWithTooFewProbes() {
    probe(500, 1.0, false, true);
    assertNull(monitor.estimate(now).ratio());
    LivePathMonitor fresh = new LivePathMonitor(settings);
    fresh.onProbe(MS, 1.0, true, true, false);
    assertNull(fresh.estimate(MS).ratio());
  }

  @Test
  void aJobWithNoBaselineWaitsForAQuietMomentThatLearnsOne() {
    assertTrue(monitor.holdForQuiet(now));
    assertTrue(monitor.inQuietMoment());
    probe(1_000, 1.0, true, true);
    assertTrue(monitor.holdForQuiet(now), "20 quiet probes are not yet enough");
    probe(600, 1.0, true, true);
    assertNotNull(monitor.baseline());
    assertFalse(monitor.holdForQuiet(now));
  }

  @Test
  void aBaselineTakenOverFromAnotherGovernorEndsTheWaitForAQuietMoment() {
    // A governor that moved: jobs ask at once, and it has no baseline of its own yet.
    now = Duration.ofMinutes(10).toNanos();
    assertTrue(monitor.holdForQuiet(now));
    var inherited = new LivePathMonitor.Baseline(1.0, 1.4, 30, now - Duration.ofSeconds(20).toNanos());
    assertTrue(monitor.inherit(inherited, false));
    assertFalse(monitor.holdForQuiet(now), "no quiet moment of its own before the first lease");
    assertEquals(inherited, monitor.baseline());
    probe(1_000, 3.0, false, true);
    assertEquals(withAdded(2.0), monitor.estimate(now).ratio(), 1e-9);
    // It is re-measured when the governor that learned it would have: three minutes after that.
    probe(settings.baselineRefresh().toMillis() - 21_000 - 1_000, 1.5, false, true);
    assertFalse(monitor.holdForQuiet(now));
    probe(1_500, 1.5, false, true);
    assertTrue(monitor.holdForQuiet(now), "the inherited baseline is three minutes old");
  }

  @Test
  void aGovernorsOwnBaselineIsNotReplacedByAnInheritedOneAndAStaleOneIsReMeasuredAtOnce() {
    probe(5_000, 1.0, true, false);
    var own = monitor.baseline();
    assertFalse(monitor.inherit(new LivePathMonitor.Baseline(9.0, 9.0, 30, now), false));
    assertEquals(own, monitor.baseline());

    var fresh = new LivePathMonitor(settings);
    long later = Duration.ofMinutes(10).toNanos();
    assertTrue(fresh.holdForQuiet(later), "no baseline: a quiet moment starts");
    var stale = new LivePathMonitor.Baseline(1.0, 1.4, 30, later - settings.baselineRefresh().toNanos() - 1);
    assertTrue(fresh.inherit(stale, false));
    assertTrue(fresh.holdForQuiet(later), "too old to steer by: measured again at once");
  }

  @Test
  void whileJobsRunTheBaselineIsReMeasuredInAQuietMomentWhenItIsOld() {
    probe(5_000, 1.0, true, false);
    probe(LivePathMonitor.FIRST_REFRESH_AFTER_JOBS_START.toMillis() + 100, 1.5, false, true);
    assertTrue(monitor.holdForQuiet(now), "the first quiet moment after jobs start");
    probe(2_000, 1.0, true, true);
    long learned = monitor.baseline().learnedAtNanos();
    probe(settings.baselineRefresh().toMillis() - 1_000, 1.5, false, true);
    assertFalse(monitor.holdForQuiet(now));
    probe(1_000, 1.5, false, true);
    assertTrue(monitor.holdForQuiet(now), "the baseline is three minutes old");
    probe(2_000, 1.2, true, true);
    assertFalse(monitor.holdForQuiet(now));
    assertTrue(monitor.baseline().learnedAtNanos() > learned);
    assertEquals(1.2, monitor.baseline().medianMs());
  }

  @Test
  void aQuietMomentThatGetsNoQuietProbesEndsAfterItsLongest() {
    probe(5_000, 1.0, true, false);
    probe(settings.baselineRefresh().toMillis(), 1.5, false, true);
    assertTrue(monitor.holdForQuiet(now));
    // The probes fail (or the engine never goes quiet): jobs are not held back for ever.
    now += settings.quietMax().toNanos() + MS;
    assertFalse(monitor.holdForQuiet(now));
    assertFalse(monitor.holdForQuiet(now + Duration.ofSeconds(10).toNanos()), "and it waits a whole refresh before trying again");
  }

  /**
   * Ten seconds while jobs run: every other probe ran beside an engine query. One in five of the
   * untouched probes takes {@code untouchedSlowMs}, one in five of the touched ones takes
   * {@code touchedSlowMs}; the rest take 1 ms.
   */
  private void probeBesideTheEngine(double untouchedSlowMs, double touchedSlowMs) {
    probeBesideTheEngine(1.0, untouchedSlowMs, touchedSlowMs);
  }

  /** As {@link #probeBesideTheEngine(double, double)}, the rest taking {@code typicalMs}. */
  private void probeBesideTheEngine(double typicalMs, double untouchedSlowMs, double touchedSlowMs) {
    for (int i = 0; i < 200; i++) {
      now += PROBE;
      boolean untouched = i % 2 == 0;
      boolean slow = (i / 2) % 5 == 0;
      double latency = slow ? (untouched ? untouchedSlowMs : touchedSlowMs) : typicalMs;
      monitor.onProbe(now, latency, untouched, false, true);
    }
  }

  @Test
  void noiseThatSlowsProbesWithoutTheEngineAsMuchAsBesideItIsNotBlamedOnTheEngine() {
    probe(5_000, 1.0, true, false);
    assertEquals(1.0, monitor.baseline().tailMs());

    probeBesideTheEngine(1.4, 1.4);

    var estimate = monitor.estimate(now);
    assertEquals(1.4, estimate.recentTailMs());
    assertEquals(1.4, estimate.untouchedTailMs());
    assertEquals(1.0, estimate.ratio(), 1e-9);
  }

  @Test
  void byDefaultUntouchedProbesExcuseAtMostWhatABaselineMayRiseByEvenWithTheMedianUnmoved() {
    // A competing load that raises the primary's tail and not its median reads like the machine's
    // noise: unless the engine is known to share the machine, it must still be seen.
    probe(5_000, 1.0, true, false);

    probeBesideTheEngine(4.0, 4.0);

    var estimate = monitor.estimate(now);
    assertEquals(4.0, estimate.untouchedTailMs());
    assertEquals(withAdded(4.0 - settings.untouchedTailExcuse()), estimate.ratio(), 1e-9);
  }

  @Test
  void coLocatedATailAsSlowAwayFromTheEngineWhileTheMedianHasNotMovedIsExcused() {
    // A shared machine: the engine's own CPU slows one probe in five fourfold, beside its queries
    // or not; the primary's typical request is as fast as ever. Backing off would not help.
    monitor = new LivePathMonitor(settings.asCoLocated());
    probe(5_000, 1.0, true, false);

    probeBesideTheEngine(4.0, 4.0);

    var estimate = monitor.estimate(now);
    assertEquals(4.0, estimate.recentTailMs());
    assertEquals(4.0, estimate.untouchedTailMs());
    assertEquals(1.0, estimate.ratio(), 1e-9);
  }

  @Test
  void coLocatedWhileTheMedianHasRisenTooUntouchedProbesExcuseAtMostWhatABaselineMayRiseBy() {
    monitor = new LivePathMonitor(settings.asCoLocated());
    probe(5_000, 1.0, true, false);

    // A competing load: every probe slower (1.6 ms, past 1.5 times the baseline's median), one in
    // five 4 ms, beside the engine's queries or not.
    probeBesideTheEngine(1.6, 4.0, 4.0);

    var estimate = monitor.estimate(now);
    assertEquals(4.0, estimate.untouchedTailMs());
    assertEquals(withAdded(4.0 - settings.untouchedTailExcuse()), estimate.ratio(), 1e-9);
  }

  @Test
  void coLocatedAnUntouchedTailFarBeyondTheMachinesNoiseIsExcusedNoFurtherThanTwoLiveLatencies() {
    // The median has not moved, but one probe in five takes 20 ms, beside the engine or not: the
    // live path is in trouble whoever caused it, and the engine must get out of the way.
    monitor = new LivePathMonitor(settings.asCoLocated());
    probe(5_000, 1.0, true, false);

    probeBesideTheEngine(20.0, 20.0);

    var estimate = monitor.estimate(now);
    assertEquals(20.0, estimate.untouchedTailMs());
    double liveMs = settings.liveLatency().toNanos() / 1e6;
    double reference = 1.0 + LivePathMonitor.MAX_EXCUSED_LIVE_LATENCIES * liveMs;
    assertEquals(LivePathMonitor.liveRatio(20.0, reference, liveMs), estimate.ratio(), 1e-9);
    assertTrue(estimate.ratio() >= 3.0, "critical by default: " + estimate.ratio());
  }

  @Test
  void coLocatedWhatTheEnginesQueriesAddAboveAnExcusedTailIsStillJudged() {
    monitor = new LivePathMonitor(settings.asCoLocated());
    probe(5_000, 1.0, true, false);

    probeBesideTheEngine(3.0, 6.0);

    var estimate = monitor.estimate(now);
    assertEquals(3.0, estimate.untouchedTailMs());
    double liveMs = settings.liveLatency().toNanos() / 1e6;
    assertEquals(LivePathMonitor.liveRatio(6.0, 3.0, liveMs), estimate.ratio(), 1e-9);
  }

  @Test
  void withNoExcuseSlowUntouchedProbesExcuseNothing() {
    LivePathSettings d = LivePathSettings.defaults();
    LivePathMonitor strict =
        new LivePathMonitor(
            new LivePathSettings(
                d.probeInterval(), d.recentSpan(), d.tailSpan(), d.tailPercentile(), d.baselineRefresh(),
                d.quietSettle(), d.quietProbes(), d.quietMax(), d.liveLatency(), 1.0, true));
    for (long end = now + 5_000 * MS; now < end; ) {
      now += PROBE;
      strict.onProbe(now, 1.0, true, true, false);
    }
    // As probeBesideTheEngine: one in five probes slow, beside the engine's queries or not.
    for (int i = 0; i < 200; i++) {
      now += PROBE;
      strict.onProbe(now, (i / 2) % 5 == 0 ? 1.4 : 1.0, i % 2 == 0, false, true);
    }

    var estimate = strict.estimate(now);
    assertEquals(1.4, estimate.recentTailMs());
    assertEquals(1.4, estimate.untouchedTailMs());
    assertEquals(withAdded(0.4), estimate.ratio(), 1e-9, "the default (1.5) would read 1.0");
  }

  @Test
  void burstsThatOnlyProbesBesideTheEngineRunIntoAreStillSeen() {
    probe(5_000, 1.0, true, false);

    probeBesideTheEngine(1.0, 6.0);

    var estimate = monitor.estimate(now);
    assertEquals(1.0, estimate.untouchedTailMs());
    assertEquals(withAdded(5.0), estimate.ratio(), 1e-9);
  }

  @Test
  void aBurstCountsForWhatItAddsToTheLivePathsOwnLatencyNotToTheProbes() {
    // A probe of 0.3 ms; one in eight beside a page query waits 0.8 ms more. Against the probe that
    // is "3.7x"; a live request of 2 ms that waits as long is 1.4x its own.
    probe(5_000, 0.3, true, false);
    for (int i = 0; i < 60; i++) {
      now += PROBE;
      monitor.onProbe(now, i % 8 == 0 ? 1.1 : 0.3, false, false, true);
    }
    var estimate = monitor.estimate(now);
    assertEquals(1.1, estimate.recentTailMs(), 1e-9);
    assertEquals(1.4, estimate.ratio(), 1e-9);
  }

  @Test
  void aPrimarySlowerThanTheConfiguredLivePathIsJudgedAgainstItsOwnTail() {
    // The primary's own tail is 4 ms, above the configured 2 ms: 4 ms more is twice its latency.
    probe(5_000, 4.0, true, false);
    probe(3_000, 8.0, false, true);
    assertEquals(2.0, monitor.estimate(now).ratio(), 1e-9);
  }
}
