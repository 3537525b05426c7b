package dev.backfill.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A logarithmic axis for ratios: a live p99 three times the baseline is as far above 1 as a third
 * of it would be below, and a run that wrecks the live path does not squash the others flat.
 */
record LogAxis(double min, double max) {

  static final double MIN = 0.8;
  private static final double LOWEST_MAX = 4;
  private static final double[] ROUND_MAXIMA = {4, 6, 8, 10};
  private static final double[] ROUND_MULTIPLES = {1.5, 2, 3, 5, 10};
  /** Up to 10 there is room for fine ticks; above, the 1-2-5 series keeps the labels apart. */
  private static final double[] FINE_TICKS = {0.8, 1, 1.25, 1.5, 2, 3, 4, 6, 8, 10};
  private static final double[] COARSE_MANTISSAS = {1, 2, 5};

  static LogAxis covering(double largest) {
    double value = Double.isFinite(largest) ? Math.max(largest, LOWEST_MAX) : LOWEST_MAX;
    for (double round : ROUND_MAXIMA) {
      if (round >= value) {
        return new LogAxis(MIN, round);
      }
    }
    for (double decade = 10; ; decade *= 10) {
      for (double multiple : ROUND_MULTIPLES) {
        if (multiple * decade >= value) {
          return new LogAxis(MIN, multiple * decade);
        }
      }
    }
  }

  /** Where {@code value} sits between min and max on a log scale, clamped to the axis. */
  double fraction(double value) {
    double clamped = Math.max(min, Math.min(max, value));
    return Math.log(clamped / min) / Math.log(max / min);
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    if (max <= 10) {
      for (double tick : FINE_TICKS) {
        if (tick <= max) {
          ticks.add(tick);
        }
      }
      return ticks;
    }
    ticks.add(min);
    for (double decade = 1; decade <= max; decade *= 10) {
      for (double mantissa : COARSE_MANTISSAS) {
        if (mantissa * decade <= max) {
          ticks.add(mantissa * decade);
        }
      }
    }
    if (ticks.get(ticks.size() - 1) < max) {
      ticks.add(max);
    }
    return ticks;
  }
}
