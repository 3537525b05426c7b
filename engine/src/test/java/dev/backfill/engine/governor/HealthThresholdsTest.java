package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthThresholdsTest {

  private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

  @Test
  void defaults() {
    assertEquals(
        new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.2, FIVE_SECONDS),
        HealthThresholds.defaults());
  }

  @Test
  void rejectsAWarningAtOrAboveItsCriticalLevel() {
    assertEquals(
        "probe_latency_warn_ms (80.0) must be below probe_latency_critical_ms (50.0)",
        rejection(() -> new HealthThresholds(80, 50, 40, 120, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "active_backends_warn (120) must be below active_backends_critical (120)",
        rejection(() -> new HealthThresholds(25, 250, 120, 120, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "replication_lag_warn_ms (40000.0) must be below replication_lag_critical_ms (30000.0)",
        rejection(() -> new HealthThresholds(25, 250, 40, 120, 40_000, 30_000, 0.2, FIVE_SECONDS)));
  }

  @Test
  void rejectsLevelsThatAreNotPositive() {
    assertEquals(
        "probe_latency_warn_ms must be positive, was -1.0",
        rejection(() -> new HealthThresholds(-1, 250, 40, 120, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "active_backends_warn must be positive, was 0",
        rejection(() -> new HealthThresholds(25, 250, 0, 120, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "active_backends_critical must be positive, was -3",
        rejection(() -> new HealthThresholds(25, 250, 40, -3, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "replication_lag_critical_ms must be positive, was NaN",
        rejection(
            () -> new HealthThresholds(25, 250, 40, 120, 5_000, Double.NaN, 0.2, FIVE_SECONDS)));
  }

  @Test
  void rejectsAHysteresisOutsideZeroToNineTenths() {
    assertEquals(
        "hysteresis must be between 0 and 0.9, was -0.1",
        rejection(() -> new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, -0.1, FIVE_SECONDS)));
    assertEquals(
        "hysteresis must be between 0 and 0.9, was 0.95",
        rejection(() -> new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.95, FIVE_SECONDS)));
    assertEquals(
        0.9, new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.9, FIVE_SECONDS).hysteresis());
    assertEquals(
        0.0, new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0, FIVE_SECONDS).hysteresis());
  }

  @Test
  void rejectsANegativeResumeAfter() {
    assertEquals(
        "resume_after must not be negative, was PT-1S",
        rejection(
            () ->
                new HealthThresholds(
                    25, 250, 40, 120, 5_000, 30_000, 0.2, Duration.ofSeconds(-1))));
    assertEquals(
        Duration.ZERO,
        new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.2, Duration.ZERO).resumeAfter());
    assertThrows(
        NullPointerException.class,
        () -> new HealthThresholds(25, 250, 40, 120, 5_000, 30_000, 0.2, null));
  }

  private static String rejection(Runnable construction) {
    return assertThrows(IllegalArgumentException.class, construction::run).getMessage();
  }
}
