package dev.backfill.engine.processor;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Rounding shared by the processors whose results are ratios. */
final class Decimals {

  private Decimals() {}

  /**
   * Rounds half-up to 4 decimals. Goes through the value's shortest decimal form so that, say,
   * 0.12345 rounds the way a person checking the result by hand expects (0.1235), which plain
   * {@code Math.round(x * 10000)} does not guarantee; results must also be stable across reruns.
   */
  static double round4(double value) {
    return BigDecimal.valueOf(value).setScale(4, RoundingMode.HALF_UP).doubleValue();
  }
}
