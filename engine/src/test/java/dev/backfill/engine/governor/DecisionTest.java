package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecisionTest {

  private static final SignalReading LATENCY =
      new SignalReading(SignalReading.PROBE_LATENCY_MS, 3.0, 25, 250, SignalReading.CLEAR);

  @Test
  void isPausedOnlyInThePausedMode() {
    assertTrue(new Decision(GovernorMode.PAUSED, 0, 0, 0, 0, "paused", List.of()).paused());
    List<GovernorMode> running =
        List.of(GovernorMode.SLOW_START, GovernorMode.STEADY, GovernorMode.BACKING_OFF);
    for (GovernorMode mode : running) {
      assertFalse(new Decision(mode, 1, 1, 1, 0.5, "running", List.of()).paused(), mode.name());
    }
  }

  @Test
  void keepsItsOwnCopyOfTheReadings() {
    List<SignalReading> readings = new ArrayList<>(List.of(LATENCY));
    Decision decision = new Decision(GovernorMode.STEADY, 1, 1, 1, 1, "healthy", readings);

    readings.clear();

    assertEquals(List.of(LATENCY), decision.signals());
    assertThrows(UnsupportedOperationException.class, () -> decision.signals().clear());
  }

  @Test
  void requiresAReason() {
    assertThrows(
        NullPointerException.class,
        () -> new Decision(GovernorMode.STEADY, 1, 1, 1, 1, null, List.of()));
  }
}
