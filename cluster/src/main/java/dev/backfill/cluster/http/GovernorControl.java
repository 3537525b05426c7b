package dev.backfill.cluster.http;

import dev.backfill.engine.governor.GovernorBudget;
import dev.backfill.engine.governor.GovernorView;
import dev.backfill.engine.governor.HealthThresholds;
import java.util.concurrent.CompletionStage;

/** What the HTTP API may do with the governor. */
public interface GovernorControl {

  CompletionStage<GovernorView> view();

  /**
   * Replaces the budget and thresholds (both already validated); answers the new view. Fails with
   * a {@link org.apache.pekko.pattern.StatusReply.ErrorMessage} saying why when the governor
   * refuses a value all the same ({@link dev.backfill.engine.governor.RuntimeLimits}): then
   * nothing changed.
   */
  CompletionStage<GovernorView> update(GovernorBudget budget, HealthThresholds thresholds);
}
