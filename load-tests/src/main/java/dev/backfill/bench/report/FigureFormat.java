package dev.backfill.bench.report;

import java.util.Locale;

/** How the report writes numbers: as many decimals as the magnitude deserves, and n/a for a missing figure. */
final class FigureFormat {

  static final String MISSING = "n/a";

  private FigureFormat() {}

  static String millis(double ms) {
    if (!Double.isFinite(ms)) {
      return MISSING;
    }
    if (ms < 10) {
      return format("%.2f", ms);
    }
    return ms < 100 ? format("%.1f", ms) : format("%.0f", ms);
  }

  static String ratio(double ratio) {
    return Double.isFinite(ratio) ? format("%.2fx", ratio) : MISSING;
  }

  static String callsPerSecond(double perSecond) {
    return Double.isFinite(perSecond) ? format("%.1f", perSecond) : MISSING;
  }

  static String perSecond(double perSecond) {
    return Double.isFinite(perSecond) ? format("%.0f", perSecond) : MISSING;
  }

  /** For SVG coordinates, which must not depend on the machine's locale. */
  static String coordinate(double value) {
    return format("%.1f", value);
  }

  static String format(String pattern, Object... values) {
    return String.format(Locale.ROOT, pattern, values);
  }
}
