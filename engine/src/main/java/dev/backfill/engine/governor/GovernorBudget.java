package dev.backfill.engine.governor;

/**
 * The most load the whole cluster may put on the primary when it is perfectly healthy. The
 * adaptive policy only ever allows a fraction of this, so these are ceilings, not targets. The
 * record holds what the governor's arithmetic needs (positive, finite); {@link RuntimeLimits}
 * bounds what a change at run time may set.
 */
public record GovernorBudget(
    int maxConcurrentQueries, double maxRowsPerSecond, double maxQueryMillisPerSecond) {

  public GovernorBudget {
    if (maxConcurrentQueries <= 0) {
      throw new IllegalArgumentException(
          "max_concurrent_queries must be positive, was " + maxConcurrentQueries);
    }
    requirePositiveFinite("max_rows_per_second", maxRowsPerSecond);
    requirePositiveFinite("max_query_millis_per_second", maxQueryMillisPerSecond);
  }

  /** Deliberately small: an unconfigured cluster should be a polite guest on the primary. */
  public static GovernorBudget defaults() {
    return new GovernorBudget(2, 5000, 1500);
  }

  // The negated comparison also catches NaN, which would otherwise slip through as "not <= 0".
  private static void requirePositiveFinite(String field, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(field + " must be positive, was " + value);
    }
    if (Double.isInfinite(value)) {
      // An infinite rate would turn every derived rate and token count into Infinity or NaN.
      throw new IllegalArgumentException(field + " must be finite, was " + value);
    }
  }
}
