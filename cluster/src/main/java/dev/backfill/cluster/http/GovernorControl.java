package dev.backfill.cluster.http;

import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.GovernorView;
import dev.backfill.engine.governor.HealthThresholds;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** What the HTTP API may do with the governor. */
public interface GovernorControl {

  CompletionStage<GovernorView> view();

  /**
   * Sets the fields named in {@code fields} ("max_rows_per_second", "thresholds.live_ratio_warn")
   * to their values in {@code budget} and {@code thresholds} (both already validated), keeps every
   * other field as it is, and keeps the change over the configuration, in the journal; answers the
   * new view. Fails with a {@link org.apache.pekko.pattern.StatusReply.ErrorMessage} saying why
   * when the governor refuses a value all the same ({@link
   * dev.backfill.engine.governor.RuntimeLimits}), with {@link Unavailable} when the journal does
   * not take the change: in both, nothing changed.
   */
  CompletionStage<GovernorView> update(GovernorBudget budget, HealthThresholds thresholds, Set<String> fields);

  /** Drops every runtime change, so the configuration is in force again; fails as {@link #update}. */
  CompletionStage<GovernorView> clearOverrides();

  /** The governor could not keep the change (its journal is down or slow): retry later. */
  final class Unavailable extends RuntimeException {
    public Unavailable(String reason) {
      super(reason);
    }
  }
}
