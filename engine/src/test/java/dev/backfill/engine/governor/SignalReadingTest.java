package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SignalReadingTest {

  @Test
  void rejectsAnUnknownState() {
    IllegalArgumentException rejected =
        assertThrows(
            IllegalArgumentException.class,
            () -> new SignalReading(SignalReading.PROBE_LATENCY_MS, 3.0, 25, 250, "fine"));

    assertEquals("unknown signal state fine", rejected.getMessage());
  }

  @Test
  void hasAValueExactlyWhenNotAbsent() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SignalReading(SignalReading.REPLICATION_LAG_MS, null, 1, 2, SignalReading.CLEAR));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SignalReading(SignalReading.REPLICATION_LAG_MS, 5.0, 1, 2, SignalReading.ABSENT));
  }
}
