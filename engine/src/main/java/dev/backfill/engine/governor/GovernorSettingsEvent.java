package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.Map;

/** What happened to the governor's runtime settings, in its journal ({@link GovernorSettingsStore}). */
public sealed interface GovernorSettingsEvent extends CborSerializable {

  /**
   * These fields were set at run time, by their API names ("max_rows_per_second",
   * "thresholds.live_ratio_warn"), each value in its range and the whole in order when it was
   * accepted; {@code by} says through what (for example "PATCH /governor on pekko://backfill@...").
   */
  record OverridesChanged(Map<String, Double> values, Instant at, String by) implements GovernorSettingsEvent {
    public OverridesChanged {
      values = Map.copyOf(values);
    }
  }

  /** Every runtime change was dropped: the configuration is in force again. */
  record OverridesCleared(Instant at, String by) implements GovernorSettingsEvent {}
}
