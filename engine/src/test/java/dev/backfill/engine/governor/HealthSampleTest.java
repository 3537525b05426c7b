package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthSampleTest {

  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

  @Test
  void acceptsASlightlyNegativeLagFromClockDrift() {
    assertEquals(-3.0, new HealthSample(NOW, 4, 10, -3.0).replicationLagMs());
  }

  @Test
  void rejectsImpossibleReadings() {
    assertEquals(
        "probe_latency_ms must not be negative, was -1.0",
        rejection(() -> new HealthSample(NOW, -1, 10, null)));
    assertEquals(
        "probe_latency_ms must not be negative, was NaN",
        rejection(() -> new HealthSample(NOW, Double.NaN, 10, null)));
    assertEquals(
        "active_backends must not be negative, was -2",
        rejection(() -> new HealthSample(NOW, 4, -2, null)));
    assertEquals(
        "replication_lag_ms must be a number, was NaN",
        rejection(() -> new HealthSample(NOW, 4, 10, Double.NaN)));
  }

  @Test
  void requiresATime() {
    assertThrows(NullPointerException.class, () -> new HealthSample(null, 4, 10, null));
  }

  private static String rejection(Runnable construction) {
    return assertThrows(IllegalArgumentException.class, construction::run).getMessage();
  }
}
