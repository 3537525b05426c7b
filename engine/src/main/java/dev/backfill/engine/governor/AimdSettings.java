package dev.backfill.engine.governor;

/**
 * How fast the allowed fraction of the budget moves: additive increase while the primary is
 * healthy, multiplicative decrease when it warns (the TCP congestion-control shape, which
 * converges on the most load the primary tolerates without oscillating wildly).
 *
 * @param increaseFraction share of the full budget added per healthy sample
 * @param decreaseFactor what the fraction is multiplied by on a warning
 * @param minFraction the floor the fraction never drops below, and where slow start begins
 */
public record AimdSettings(double increaseFraction, double decreaseFactor, double minFraction) {

  public AimdSettings {
    // Written as negated ranges so that NaN is rejected too.
    if (!(increaseFraction > 0 && increaseFraction <= 1)) {
      throw new IllegalArgumentException(
          "increase_fraction must be in (0, 1], was " + increaseFraction);
    }
    if (!(decreaseFactor > 0 && decreaseFactor < 1)) {
      throw new IllegalArgumentException(
          "decrease_factor must be in (0, 1), was " + decreaseFactor);
    }
    if (!(minFraction > 0 && minFraction <= 1)) {
      // Zero would let a run of warnings starve every job with no way back up by slow start.
      throw new IllegalArgumentException("min_fraction must be in (0, 1], was " + minFraction);
    }
  }

  public static AimdSettings defaults() {
    return new AimdSettings(0.05, 0.5, 0.05);
  }
}
