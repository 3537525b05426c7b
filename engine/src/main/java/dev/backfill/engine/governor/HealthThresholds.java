package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.Objects;

/**
 * Where each health signal of the primary turns from fine to worrying (warn: back off) to
 * dangerous (critical: stop every job). The record holds what the governor's arithmetic needs
 * (positive, finite, warn below critical); {@link RuntimeLimits} bounds what a change at run time
 * may set.
 *
 * @param hysteresis a signal that reached its warning level only counts as clear again once it is
 *     below {@code warn * (1 - hysteresis)} (the live ratio: {@code 1 + (warn - 1) * (1 -
 *     hysteresis)}); without this gap a signal hovering at the threshold
 *     would make the rate flap up and down on every sample
 * @param resumeAfter how long every signal must stay clear before a pause ends, so that one lucky
 *     sample in the middle of an incident does not unleash the jobs again
 * @param liveRatioWarn the live path's latency over its own healthy level at which the engine
 *     backs off: the main signal, since it is relative to what this primary does when healthy
 * @param liveRatioCritical the ratio at which every job pauses
 */
public record HealthThresholds(
    double probeLatencyWarnMs,
    double probeLatencyCriticalMs,
    int activeBackendsWarn,
    int activeBackendsCritical,
    double replicationLagWarnMs,
    double replicationLagCriticalMs,
    double hysteresis,
    Duration resumeAfter,
    double liveRatioWarn,
    double liveRatioCritical) {

  static final double DEFAULT_LIVE_RATIO_WARN = 1.25;
  static final double DEFAULT_LIVE_RATIO_CRITICAL = 3.0;

  /** Thresholds with the default live-path ratios. */
  public HealthThresholds(
      double probeLatencyWarnMs,
      double probeLatencyCriticalMs,
      int activeBackendsWarn,
      int activeBackendsCritical,
      double replicationLagWarnMs,
      double replicationLagCriticalMs,
      double hysteresis,
      Duration resumeAfter) {
    this(
        probeLatencyWarnMs,
        probeLatencyCriticalMs,
        activeBackendsWarn,
        activeBackendsCritical,
        replicationLagWarnMs,
        replicationLagCriticalMs,
        hysteresis,
        resumeAfter,
        DEFAULT_LIVE_RATIO_WARN,
        DEFAULT_LIVE_RATIO_CRITICAL);
  }

  /** Above this the clear band would shrink to almost nothing below the warning level. */
  static final double MAX_HYSTERESIS = 0.9;

  public HealthThresholds {
    // Positive rather than merely non-negative: a warning level of 0 could never be cleared, so
    // the rate would sit at the floor forever with nothing in the configuration looking wrong.
    requirePositive("probe_latency_warn_ms", probeLatencyWarnMs);
    requirePositive("probe_latency_critical_ms", probeLatencyCriticalMs);
    requirePositive("active_backends_warn", activeBackendsWarn);
    requirePositive("active_backends_critical", activeBackendsCritical);
    requirePositive("replication_lag_warn_ms", replicationLagWarnMs);
    requirePositive("replication_lag_critical_ms", replicationLagCriticalMs);
    requireBelow(
        "probe_latency_warn_ms", probeLatencyWarnMs,
        "probe_latency_critical_ms", probeLatencyCriticalMs);
    if (activeBackendsWarn >= activeBackendsCritical) {
      throw new IllegalArgumentException(
          "active_backends_warn ("
              + activeBackendsWarn
              + ") must be below active_backends_critical ("
              + activeBackendsCritical
              + ")");
    }
    requireBelow(
        "replication_lag_warn_ms", replicationLagWarnMs,
        "replication_lag_critical_ms", replicationLagCriticalMs);
    // A ratio at or below 1 would read the primary's own healthy latency as a warning.
    if (!(liveRatioWarn > 1) || Double.isInfinite(liveRatioWarn)) {
      throw new IllegalArgumentException("live_ratio_warn must be above 1 and finite, was " + liveRatioWarn);
    }
    if (Double.isInfinite(liveRatioCritical)) {
      throw new IllegalArgumentException("live_ratio_critical must be finite, was " + liveRatioCritical);
    }
    requireBelow("live_ratio_warn", liveRatioWarn, "live_ratio_critical", liveRatioCritical);
    if (!(hysteresis >= 0 && hysteresis <= MAX_HYSTERESIS)) {
      throw new IllegalArgumentException(
          "hysteresis must be between 0 and " + MAX_HYSTERESIS + ", was " + hysteresis);
    }
    Objects.requireNonNull(resumeAfter, "resume_after");
    if (resumeAfter.isNegative()) {
      throw new IllegalArgumentException("resume_after must not be negative, was " + resumeAfter);
    }
  }

  public static HealthThresholds defaults() {
    return new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.2, Duration.ofSeconds(5));
  }

  // The negated comparison also catches NaN. An infinite level is refused too: it could never be
  // reached, and with both levels infinite the order check below would mean nothing.
  private static void requirePositive(String field, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    if (Double.isInfinite(value)) {
      throw new IllegalArgumentException(field + " must be finite, was " + value);
    }
  }

  private static void requirePositive(String field, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
  }

  private static void requireBelow(
      String warnField, double warn, String criticalField, double critical) {
    if (warn >= critical) {
      throw new IllegalArgumentException(
          warnField + " (" + warn + ") must be below " + criticalField + " (" + critical + ")");
    }
  }
}
