package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AimdSettingsTest {

  @Test
  void defaultsAddFivePercentHalveAndFloorAtFivePercent() {
    assertEquals(new AimdSettings(0.05, 0.5, 0.05), AimdSettings.defaults());
  }

  @Test
  void acceptsTheInclusiveEnds() {
    assertEquals(1.0, new AimdSettings(1, 0.5, 1).increaseFraction());
  }

  @Test
  void rejectsAnIncreaseOutsideZeroToOne() {
    assertEquals(
        "increase_fraction must be in (0, 1], was 0.0",
        rejection(() -> new AimdSettings(0, 0.5, 0.05)));
    assertEquals(
        "increase_fraction must be in (0, 1], was 1.5",
        rejection(() -> new AimdSettings(1.5, 0.5, 0.05)));
  }

  @Test
  void rejectsADecreaseFactorOutsideZeroToOne() {
    assertEquals(
        "decrease_factor must be in (0, 1), was 1.0",
        rejection(() -> new AimdSettings(0.05, 1, 0.05)));
    assertEquals(
        "decrease_factor must be in (0, 1), was 0.0",
        rejection(() -> new AimdSettings(0.05, 0, 0.05)));
  }

  @Test
  void rejectsAFloorOutsideZeroToOne() {
    assertEquals(
        "min_fraction must be in (0, 1], was 0.0",
        rejection(() -> new AimdSettings(0.05, 0.5, 0)));
    assertEquals(
        "min_fraction must be in (0, 1], was NaN",
        rejection(() -> new AimdSettings(0.05, 0.5, Double.NaN)));
  }

  private static String rejection(Runnable construction) {
    return assertThrows(IllegalArgumentException.class, construction::run).getMessage();
  }
}
