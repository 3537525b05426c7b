package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class GovernorBudgetTest {

  @Test
  void defaultsAreSmall() {
    assertEquals(new GovernorBudget(2, 5000, 1500), GovernorBudget.defaults());
  }

  @Test
  void rejectsANonPositiveConcurrency() {
    assertEquals(
        "max_concurrent_queries must be positive, was 0",
        rejection(() -> new GovernorBudget(0, 5000, 1500)));
    assertEquals(
        "max_concurrent_queries must be positive, was -1",
        rejection(() -> new GovernorBudget(-1, 5000, 1500)));
  }

  @Test
  void rejectsANonPositiveRowRate() {
    assertEquals(
        "max_rows_per_second must be positive, was 0.0",
        rejection(() -> new GovernorBudget(2, 0, 1500)));
    assertEquals(
        "max_rows_per_second must be positive, was NaN",
        rejection(() -> new GovernorBudget(2, Double.NaN, 1500)));
    assertEquals(
        "max_rows_per_second must be finite, was Infinity",
        rejection(() -> new GovernorBudget(2, Double.POSITIVE_INFINITY, 1500)));
  }

  @Test
  void rejectsANonPositiveQueryTime() {
    assertEquals(
        "max_query_millis_per_second must be positive, was -5.0",
        rejection(() -> new GovernorBudget(2, 5000, -5)));
  }

  private static String rejection(Runnable construction) {
    return assertThrows(IllegalArgumentException.class, construction::run).getMessage();
  }
}
