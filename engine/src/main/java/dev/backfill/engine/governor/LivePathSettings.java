package dev.backfill.engine.governor;

import java.time.Duration;

/**
 * How the governor watches the live path through its probe (timed by the primary's own clock).
 *
 * @param probeInterval time between live probes (10-20 per second see the bursts a backfill makes)
 * @param recentSpan the span of the fast signal: the median of the latest probes, which moves
 *     within a second when the whole primary slows
 * @param tailSpan the span of the tail signal, long enough to hold enough probes for a percentile
 * @param tailPercentile the percentile of the tail signal (and of the baseline it is compared with)
 * @param baselineRefresh how old the baseline may get while jobs run before a quiet moment
 *     re-measures it
 * @param quietSettle how long after the engine's last page query a probe counts as quiet
 * @param quietProbes quiet probes that make a baseline
 * @param quietMax the longest a quiet moment holds the jobs back, even if probes fail
 * @param liveLatency the live path's own tail latency as its clients see it, end to end, while the
 *     engine is quiet (a recording's round trips and commit, not the probe's one short query): both
 *     signals are what the backfill adds to the probes, as a share of this. The probe
 *     alone would count a fraction of a millisecond of waiting as the live path slowing several
 *     times over, when the recording path, measured by a client of its own, slowed by a quarter
 * @param untouchedTailExcuse how far the tail of probes that no engine query ran beside may raise
 *     the reference the recent tail is judged against, as a multiple of the baseline's tail, while
 *     the probes' median has risen past that many times the baseline's too, or always unless
 *     {@code coLocated} (1: nothing, ever). It excuses a
 *     machine's own noise; on a machine the engine shares with the primary it also excuses the
 *     engine's own CPU, which slows those probes too
 * @param coLocated the engine's nodes or its Cassandra share the primary's machine: while the
 *     probes' median has not moved, their untouched tail is excused up to two live latencies
 *     above the baseline's, not only {@code untouched-tail-excuse} times it (see
 *     LivePathMonitor#excusable). Off by default: a competing load that raises the primary's
 *     tail more than its median reads the same, and must still slow the engine
 */
public record LivePathSettings(
    Duration probeInterval,
    Duration recentSpan,
    Duration tailSpan,
    double tailPercentile,
    Duration baselineRefresh,
    Duration quietSettle,
    int quietProbes,
    Duration quietMax,
    Duration liveLatency,
    double untouchedTailExcuse,
    boolean coLocated) {

  public LivePathSettings {
    requirePositive("probe-interval", probeInterval);
    requirePositive("recent-span", recentSpan);
    requirePositive("tail-span", tailSpan);
    requirePositive("baseline-refresh", baselineRefresh);
    requirePositive("quiet-max", quietMax);
    requirePositive("live-latency", liveLatency);
    if (liveLatency.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new IllegalArgumentException("live-latency must be at most 10 s, was " + liveLatency);
    }
    if (!(untouchedTailExcuse >= 1 && untouchedTailExcuse <= 10)) {
      throw new IllegalArgumentException("untouched-tail-excuse must be in [1, 10], was " + untouchedTailExcuse);
    }
    if (quietSettle.isNegative()) {
      throw new IllegalArgumentException("quiet-settle must not be negative, was " + quietSettle);
    }
    if (!(tailPercentile >= 50 && tailPercentile < 100)) {
      throw new IllegalArgumentException("tail-percentile must be in [50, 100), was " + tailPercentile);
    }
    if (quietProbes < 5) {
      throw new IllegalArgumentException("quiet-probes must be at least 5, was " + quietProbes);
    }
    // A quiet moment that cannot gather its probes in time would hold the jobs back for nothing.
    Duration needed = quietSettle.plus(probeInterval.multipliedBy(quietProbes));
    if (needed.compareTo(quietMax) >= 0 || needed.compareTo(Duration.ofSeconds(10)) >= 0) {
      throw new IllegalArgumentException(
          "quiet-settle + quiet-probes x probe-interval ("
              + needed
              + ") must be shorter than quiet-max ("
              + quietMax
              + ") and than 10 s");
    }
  }

  /**
   * Settings for tests of the policy: the shipped ones (backfill.conf) except a live path of 2 ms
   * (shipped: 1 ms since 2026-11-30), which the policy tests' figures are worked out against.
   */
  public static LivePathSettings defaults() {
    return new LivePathSettings(
        Duration.ofMillis(50),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        95,
        Duration.ofMinutes(3),
        Duration.ofMillis(300),
        30,
        Duration.ofSeconds(5),
        Duration.ofMillis(2),
        1.5,
        false);
  }

  /** These settings for an engine that shares the primary's machine (see {@code coLocated}). */
  public LivePathSettings asCoLocated() {
    return new LivePathSettings(
        probeInterval, recentSpan, tailSpan, tailPercentile, baselineRefresh, quietSettle, quietProbes, quietMax,
        liveLatency, untouchedTailExcuse, true);
  }

  private static void requirePositive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, was " + value);
    }
  }
}
