package dev.backfill.engine.governor;

/**
 * The values a number that an operator sets may take: finite, between two ends that are each
 * open or closed, and whole when the number counts things. A refusal names the range, so
 * whoever sent a bad value sees at once what would pass.
 *
 * @param whole only whole numbers: 2.7 connections is refused, not read as 2
 */
public record NumberRange(double low, boolean lowIncluded, double high, boolean highIncluded, boolean whole) {

  public NumberRange {
    if (!Double.isFinite(low) || !Double.isFinite(high) || !(low < high)) {
      throw new IllegalArgumentException("a range needs finite ends, the low one below the high one, was " + low + ", " + high);
    }
  }

  /** (low, high]: above {@code low}, at most {@code high}. */
  public static NumberRange above(double low, double high) {
    return new NumberRange(low, false, high, true, false);
  }

  /** [low, high]. */
  public static NumberRange between(double low, double high) {
    return new NumberRange(low, true, high, true, false);
  }

  /** Whole numbers in [low, high]. */
  public static NumberRange wholeBetween(long low, long high) {
    return new NumberRange(low, true, high, true, true);
  }

  public boolean contains(double value) {
    // Checked first, since an open end would let an infinity through on the side it does not
    // bound; NaN fails every comparison below anyway, this says so.
    if (!Double.isFinite(value) || (whole && value != Math.rint(value))) {
      return false;
    }
    return (lowIncluded ? value >= low : value > low) && (highIncluded ? value <= high : value < high);
  }

  /** Null when {@code value} is in the range, else why not: "must be a number in (0, 1000], was 1.0E305". */
  public String refusal(double value) {
    return contains(value) ? null : "must be " + describe() + ", was " + format(value);
  }

  /** "a number in (0, 1000]", "a whole number in [1, 64]". */
  public String describe() {
    return (whole ? "a whole number in " : "a number in ")
        + (lowIncluded ? "[" : "(")
        + format(low)
        + ", "
        + format(high)
        + (highIncluded ? "]" : ")");
  }

  /** Whole numbers without a ".0" (1000000, not 1000000.0 or 1.0E6), others as Java writes them. */
  static String format(double value) {
    if (Double.isFinite(value) && value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
