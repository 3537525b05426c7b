package dev.backfill.protocol.job;

import dev.backfill.protocol.CborSerializable;

/**
 * How hard a job may push, changeable while it runs: its weight when jobs share the governor's
 * rate, and an optional cap of its own.
 *
 * @param priority weight in the fair share, above 0 (a job of priority 2 gets twice the rate of a
 *     job of priority 1 when both want more)
 * @param maxCallsPerSecond the job's own cap, or null for none
 */
public record JobTuning(double priority, Double maxCallsPerSecond) implements CborSerializable {

  public static final JobTuning DEFAULT = new JobTuning(1.0, null);

  public JobTuning {
    if (!(priority > 0)) {
      throw new IllegalArgumentException("priority must be above 0, was " + priority);
    }
    if (maxCallsPerSecond != null && !(maxCallsPerSecond > 0)) {
      throw new IllegalArgumentException("max_calls_per_second must be above 0, was " + maxCallsPerSecond);
    }
  }
}
