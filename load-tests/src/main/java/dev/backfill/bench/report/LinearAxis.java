package dev.backfill.bench.report;

import java.util.ArrayList;
import java.util.List;

/** An axis from 0 to a round maximum, with round tick steps (1, 2, 2.5 or 5 times a power of ten). */
record LinearAxis(double max, double step) {

  private static final int TARGET_TICKS = 5;
  private static final double[] ROUND_STEPS = {1, 2, 2.5, 5, 10};

  static LinearAxis covering(double largest) {
    double value = Double.isFinite(largest) && largest > 0 ? largest : 1;
    double rough = value / TARGET_TICKS;
    double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
    double step = magnitude;
    for (double round : ROUND_STEPS) {
      step = round * magnitude;
      if (step >= rough) {
        break;
      }
    }
    return new LinearAxis(Math.ceil(value / step) * step, step);
  }

  /** Where {@code value} sits between 0 and the maximum, clamped to the axis. */
  double fraction(double value) {
    return Math.max(0, Math.min(1, value / max));
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    long count = Math.round(max / step);
    for (long i = 0; i <= count; i++) {
      ticks.add(i * step);
    }
    return ticks;
  }
}
