package dev.backfill.engine.governor;

import java.util.Objects;
import java.util.Set;

/**
 * One health signal of one sample, with the thresholds it was judged against, so that a status
 * page can show why the governor decided what it did.
 *
 * @param value null when the signal is absent (replication lag on a primary that is no replica)
 * @param state one of {@link #CLEAR}, {@link #HOLDING}, {@link #WARN}, {@link #CRITICAL}, {@link
 *     #ABSENT}; a string rather than an enum because it is shown and serialised as is
 */
public record SignalReading(String name, Double value, double warn, double critical, String state) {

  public static final String PROBE_LATENCY_MS = "probe_latency_ms";
  public static final String ACTIVE_BACKENDS = "active_backends";
  public static final String REPLICATION_LAG_MS = "replication_lag_ms";
  public static final String LIVE_LATENCY_RATIO = "live_latency_ratio";

  /** Below the warning level by more than the hysteresis margin: the rate may grow. */
  public static final String CLEAR = "clear";
  /** Below the warning level but inside the hysteresis margin: the rate stays where it is. */
  public static final String HOLDING = "holding";
  public static final String WARN = "warn";
  public static final String CRITICAL = "critical";
  public static final String ABSENT = "absent";

  private static final Set<String> STATES = Set.of(CLEAR, HOLDING, WARN, CRITICAL, ABSENT);

  public SignalReading {
    Objects.requireNonNull(name, "name");
    if (!STATES.contains(state)) {
      throw new IllegalArgumentException("unknown signal state " + state);
    }
    if ((value == null) != ABSENT.equals(state)) {
      throw new IllegalArgumentException(
          name + " must have a value exactly when it is not absent, was " + value + " " + state);
    }
  }
}
