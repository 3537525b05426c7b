package dev.backfill.engine.governor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Splits the cluster's allowed rate among the running jobs by weight (weighted max-min fairness,
 * "water-filling"): a job that cannot use its whole share, because of its own rate cap, gets its
 * cap and the rest goes to the others by weight, so no budget is wasted on a job that could not
 * spend it.
 */
public final class FairShare {

  /**
   * @param weight the job's relative share; must be positive
   * @param maxRate the most the job may use on its own, or null for no cap
   */
  public record Claim(double weight, Double maxRate) {

    public Claim {
      if (!(weight > 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException("weight must be positive and finite, was " + weight);
      }
      if (maxRate != null && !(maxRate >= 0)) {
        throw new IllegalArgumentException("max_rate must not be negative, was " + maxRate);
      }
    }
  }

  private FairShare() {}

  /**
   * Returns each job's rate, in the claims' iteration order. The allocations never exceed a job's
   * cap and add up to at most {@code total} (give or take floating-point rounding); they add up
   * to less only when every job is capped.
   */
  public static Map<String, Double> allocate(double total, Map<String, Claim> claims) {
    if (!(total >= 0) || Double.isInfinite(total)) {
      throw new IllegalArgumentException("total must be finite and not negative, was " + total);
    }
    Objects.requireNonNull(claims, "claims");
    claims.forEach((job, claim) -> Objects.requireNonNull(claim, () -> "claim of " + job));

    Map<String, Double> allocations = new LinkedHashMap<>();
    claims.keySet().forEach(job -> allocations.put(job, 0.0));
    List<String> uncapped = new ArrayList<>(claims.keySet());
    double remaining = total;
    // Each round either settles every remaining job or caps at least one, so it ends within
    // claims.size() rounds. Capping all that fall short in one round is safe: re-sharing what
    // they leave only raises the others' shares, so no one capped would have come out uncapped.
    while (!uncapped.isEmpty()) {
      // Weights relative to the largest: their sum stays finite however large each is (two of
      // 1e308 would add up to Infinity and leave every job 0), and each share is the remaining
      // rate times a fraction of at most 1, so it cannot overflow to Infinity as
      // remaining * weight could.
      double largest = 0;
      for (String job : uncapped) {
        largest = Math.max(largest, claims.get(job).weight());
      }
      double weights = 0;
      for (String job : uncapped) {
        weights += claims.get(job).weight() / largest;
      }
      List<String> capped = new ArrayList<>();
      for (String job : uncapped) {
        Claim claim = claims.get(job);
        if (claim.maxRate() != null && claim.maxRate() < share(remaining, claim, largest, weights)) {
          capped.add(job);
        }
      }
      if (capped.isEmpty()) {
        for (String job : uncapped) {
          allocations.put(job, share(remaining, claims.get(job), largest, weights));
        }
        break;
      }
      for (String job : capped) {
        double cap = claims.get(job).maxRate();
        allocations.put(job, cap);
        // Never below 0 through rounding: a negative share would be refused as a rate.
        remaining = Math.max(0, remaining - cap);
      }
      uncapped.removeAll(capped);
    }
    return allocations;
  }

  /** The claim's part of {@code remaining}: its weight over the sum, both relative to the largest. */
  private static double share(double remaining, Claim claim, double largest, double weights) {
    return remaining * (claim.weight() / largest / weights);
  }
}
