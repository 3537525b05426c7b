package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An infinite level could never be reached: it is refused like a level that is not positive. */
class HealthThresholdsFiniteTest {

  private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

  @Test
  void rejectsInfiniteCriticalLevels() {
    assertEquals(
        "probe_latency_critical_ms must be finite, was Infinity",
        rejection(
            () ->
                new HealthThresholds(
                    25, Double.POSITIVE_INFINITY, 40, 120, 5_000, 30_000, 0.2, FIVE_SECONDS)));
    assertEquals(
        "replication_lag_critical_ms must be finite, was Infinity",
        rejection(
            () ->
                new HealthThresholds(
                    25, 250, 40, 120, 5_000, Double.POSITIVE_INFINITY, 0.2, FIVE_SECONDS)));
  }

  private static String rejection(Runnable construction) {
    return assertThrows(IllegalArgumentException.class, construction::run).getMessage();
  }
}
