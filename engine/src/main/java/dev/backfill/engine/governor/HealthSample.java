package dev.backfill.engine.governor;

import java.time.Instant;
import java.util.Objects;

/**
 * One reading of the primary's health.
 *
 * @param probeLatencyMs how long the probe query took; a probe that failed or timed out is
 *     reported as its timeout, so an unreachable primary looks critical rather than healthy
 * @param replicationLagMs null when the primary is not itself a replica
 * @param liveLatencyRatio the live path's latency now over its healthy level (see {@link
 *     LivePathMonitor}); null until a baseline has been learned
 */
public record HealthSample(
    Instant at, double probeLatencyMs, int activeBackends, Double replicationLagMs, Double liveLatencyRatio) {

  /** A sample without a live-path ratio (no baseline yet). */
  public HealthSample(Instant at, double probeLatencyMs, int activeBackends, Double replicationLagMs) {
    this(at, probeLatencyMs, activeBackends, replicationLagMs, null);
  }

  public HealthSample {
    Objects.requireNonNull(at, "at");
    // NaN compares false against every threshold, so it would read as "holding" and silently
    // freeze the policy; negative latencies and counts can only come from a caller's bug.
    if (!(probeLatencyMs >= 0)) {
      throw new IllegalArgumentException(
          "probe_latency_ms must not be negative, was " + probeLatencyMs);
    }
    if (activeBackends < 0) {
      throw new IllegalArgumentException(
          "active_backends must not be negative, was " + activeBackends);
    }
    // Lag may be slightly negative: it compares the upstream's commit clock with this server's,
    // and the two clocks drift. Only NaN is a bug.
    if (replicationLagMs != null && replicationLagMs.isNaN()) {
      throw new IllegalArgumentException("replication_lag_ms must be a number, was NaN");
    }
    if (liveLatencyRatio != null && !(liveLatencyRatio >= 0)) {
      throw new IllegalArgumentException("live_latency_ratio must not be negative, was " + liveLatencyRatio);
    }
  }
}
