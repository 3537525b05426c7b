package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReasonsTest {

  @Test
  void numbersShowAtMostOneDecimal() {
    assertEquals("310", Reasons.number(310.0));
    assertEquals("7.5", Reasons.number(7.5));
    assertEquals("5", Reasons.number(0.05 * 100 + 1e-13));
    assertEquals("13", Reasons.number(12.96));
    assertEquals("0", Reasons.number(0.0));
    assertEquals("Infinity", Reasons.number(Double.POSITIVE_INFINITY));
  }

  @Test
  void describesClearAndAbsentSignals() {
    assertEquals(
        "probe latency 3 ms is clear",
        Reasons.describe(
            new SignalReading(SignalReading.PROBE_LATENCY_MS, 3.0, 25, 250, SignalReading.CLEAR),
            0.2));
    assertEquals(
        "replication lag is absent",
        Reasons.describe(
            new SignalReading(
                SignalReading.REPLICATION_LAG_MS, null, 5_000, 30_000, SignalReading.ABSENT),
            0.2));
  }

  @Test
  void waitingShowsFractionsOfASecond() {
    assertEquals(
        "paused until the primary is healthy for 5 s (1.5 s so far)",
        Reasons.waitingToResume(Duration.ofSeconds(5), Duration.ofMillis(1500), null, 0.2));
  }

  @Test
  void aFractionBelowOnePercentIsStillShown() {
    assertEquals("slow start: 0.5% of the budget", Reasons.slowStart(0.005));
  }
}
