package dev.backfill.engine.governor;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/** The operator-facing sentences that explain a decision. */
final class Reasons {

  private Reasons() {}

  static String paused(SignalReading cause, double hysteresis) {
    return describe(cause, hysteresis) + ": every job paused";
  }

  static String waitingToResume(
      Duration resumeAfter, Duration clearFor, SignalReading cause, double hysteresis) {
    String waiting =
        "paused until the primary is healthy for "
            + seconds(resumeAfter)
            + " ("
            + seconds(clearFor)
            + " so far)";
    return cause == null ? waiting : waiting + ": " + describe(cause, hysteresis);
  }

  static String resumed(Duration resumeAfter, double fraction) {
    return "healthy for " + seconds(resumeAfter) + ": slow start from " + share(fraction);
  }

  static String backingOff(SignalReading cause, double hysteresis, double fraction) {
    return describe(cause, hysteresis) + ": backing off to " + share(fraction);
  }

  static String holding(SignalReading cause, double hysteresis, double fraction) {
    return describe(cause, hysteresis) + ": holding at " + share(fraction);
  }

  static String slowStart(double fraction) {
    return "slow start: " + share(fraction);
  }

  static String healthy(double fraction) {
    return fraction >= 1 ? "healthy" : "healthy: " + share(fraction) + " and rising";
  }

  static String describe(SignalReading reading, double hysteresis) {
    String name = reading.name();
    if (reading.value() == null) {
      return label(name) + " is absent";
    }
    String subject = label(name) + " " + quantity(name, reading.value());
    return switch (reading.state()) {
      case SignalReading.CRITICAL ->
          subject + " is at or over the critical " + quantity(name, reading.critical());
      case SignalReading.WARN ->
          subject + " is at or over the warning " + quantity(name, reading.warn());
      case SignalReading.HOLDING ->
          subject
              + " is under the warning "
              + quantity(name, reading.warn())
              + " but not yet below "
              + quantity(name, SignalClassifier.clearBelow(name, reading.warn(), hysteresis));
      default -> subject + " is clear";
    };
  }

  /**
   * One decimal at most, trailing zeros dropped: operators read "310 ms" and "7.5%", and the
   * sentences must not change between runs because of binary noise such as 5.000000000000001.
   */
  static String number(double value) {
    if (!Double.isFinite(value)) {
      return String.valueOf(value);
    }
    return BigDecimal.valueOf(value)
        .setScale(1, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  private static String share(double fraction) {
    return number(fraction * 100) + "% of the budget";
  }

  private static String seconds(Duration duration) {
    return number(duration.toMillis() / 1000.0) + " s";
  }

  // Signal names carry their unit as a suffix ("probe_latency_ms"); people read it after the value.
  private static String label(String name) {
    String unitless = unitless(name);
    if (unitless.endsWith("_ratio")) {
      unitless = unitless.substring(0, unitless.length() - "_ratio".length());
    }
    return unitless.replace('_', ' ');
  }

  private static String quantity(String name, double value) {
    if (name.endsWith("_ratio")) {
      // Ratios live near 1, where one decimal would turn a 1.25 threshold into 1.3.
      return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString()
          + "x its healthy level";
    }
    return number(value) + (name.endsWith("_ms") ? " ms" : "");
  }

  private static String unitless(String name) {
    return name.endsWith("_ms") ? name.substring(0, name.length() - 3) : name;
  }
}
