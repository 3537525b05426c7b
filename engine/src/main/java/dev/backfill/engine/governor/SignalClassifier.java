package dev.backfill.engine.governor;

import static dev.backfill.engine.governor.SignalReading.ABSENT;
import static dev.backfill.engine.governor.SignalReading.ACTIVE_BACKENDS;
import static dev.backfill.engine.governor.SignalReading.CLEAR;
import static dev.backfill.engine.governor.SignalReading.CRITICAL;
import static dev.backfill.engine.governor.SignalReading.HOLDING;
import static dev.backfill.engine.governor.SignalReading.LIVE_LATENCY_RATIO;
import static dev.backfill.engine.governor.SignalReading.PROBE_LATENCY_MS;
import static dev.backfill.engine.governor.SignalReading.REPLICATION_LAG_MS;
import static dev.backfill.engine.governor.SignalReading.WARN;

import java.util.List;

/** Judges each signal of a sample against the thresholds. */
final class SignalClassifier {

  private SignalClassifier() {}

  /** Always four readings, in a fixed order, so reasons name the same signal on every run. */
  static List<SignalReading> read(HealthSample sample, HealthThresholds thresholds) {
    double hysteresis = thresholds.hysteresis();
    return List.of(
        reading(
            PROBE_LATENCY_MS,
            sample.probeLatencyMs(),
            thresholds.probeLatencyWarnMs(),
            thresholds.probeLatencyCriticalMs(),
            hysteresis),
        reading(
            ACTIVE_BACKENDS,
            (double) sample.activeBackends(),
            thresholds.activeBackendsWarn(),
            thresholds.activeBackendsCritical(),
            hysteresis),
        reading(
            REPLICATION_LAG_MS,
            sample.replicationLagMs(),
            thresholds.replicationLagWarnMs(),
            thresholds.replicationLagCriticalMs(),
            hysteresis),
        reading(
            LIVE_LATENCY_RATIO,
            sample.liveLatencyRatio(),
            thresholds.liveRatioWarn(),
            thresholds.liveRatioCritical(),
            hysteresis));
  }

  static String state(Double value, double warn, double critical, double hysteresis) {
    return banded(value, warn, critical, warn * (1 - hysteresis));
  }

  private static String banded(Double value, double warn, double critical, double clearBelow) {
    if (value == null) {
      return ABSENT;
    }
    if (value >= critical) {
      return CRITICAL;
    }
    if (value >= warn) {
      return WARN;
    }
    return value < clearBelow ? CLEAR : HOLDING;
  }

  /**
   * The level a signal must fall under before it stops holding the rate back. For the live path's
   * ratio the hysteresis is a share of what the warning allows over 1 (no change): with a warning
   * at 1.25, clear below 1.2, not below 1.0, which a running backfill never reaches, so the rate
   * would never rise again.
   */
  static double clearBelow(String name, double warn, double hysteresis) {
    if (LIVE_LATENCY_RATIO.equals(name) && warn > 1) {
      return 1 + (warn - 1) * (1 - hysteresis);
    }
    return warn * (1 - hysteresis);
  }

  /** The most severe reading; the first one in reading order among equally severe ones. */
  static SignalReading worst(List<SignalReading> readings) {
    SignalReading worst = null;
    for (SignalReading reading : readings) {
      if (worst == null || severity(reading) > severity(worst)) {
        worst = reading;
      }
    }
    if (worst == null) {
      throw new IllegalArgumentException("no readings");
    }
    return worst;
  }

  private static SignalReading reading(
      String name, Double value, double warn, double critical, double hysteresis) {
    return new SignalReading(
        name, value, warn, critical, banded(value, warn, critical, clearBelow(name, warn, hysteresis)));
  }

  private static int severity(SignalReading reading) {
    return switch (reading.state()) {
      case CRITICAL -> 4;
      case WARN -> 3;
      case HOLDING -> 2;
      case CLEAR -> 1;
      default -> 0;
    };
  }
}
