package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What the governor is doing and why: the budget, the thresholds and where they come from, the
 * latest reading of every health signal, the rate in force, and how it is shared among the jobs
 * asking for it. {@code slotHandovers}: query slots that went from one node to another;
 * {@code slotHandoversClosed}: those whose holder had closed its connection, so the slot moved
 * 0.1 s after its last query rather than after the whole handover. {@code leasesWaiting}: lease
 * requests waiting in the governor for a query slot to free.
 */
public record GovernorView(
    GovernorBudget budget,
    HealthThresholds thresholds,
    Settings settings,
    String mode,
    boolean paused,
    String reason,
    double rowsPerSecond,
    double queryMillisPerSecond,
    int concurrency,
    List<SignalReading> signals,
    Instant sampledAt,
    LivePath livePath,
    Pages pages,
    int activeLeases,
    int leasesWaiting,
    List<JobShare> jobs,
    long leasesGranted,
    long leasesDenied,
    long leasesExpired,
    long slotHandovers,
    long slotHandoversClosed)
    implements CborSerializable {

  /**
   * Where the budget and thresholds in force come from: the configuration of the node hosting the
   * governor, with the fields changed at run time over it ({@code overrides}, kept in the journal).
   * {@code problem}: why an override is not applied, or the journal cannot be used or read, or null.
   */
  public record Settings(SettingsSource source, List<FieldOverride> overrides, String problem) {}

  public enum SettingsSource {
    /** Every value is the configured one. */
    CONFIGURATION,
    /** The fields in {@code overrides} were changed at run time and win; the rest is configured. */
    OVERRIDES,
    /**
     * The governor has not yet read its runtime changes from the journal: the configured values
     * are shown, and no lease is granted until it has, for at most {@code settings-read-timeout}.
     */
    READING_JOURNAL,
    /**
     * The runtime changes could not be read within {@code settings-read-timeout}: leases go out on
     * the configured values (shown) while the governor keeps reading; they come into force once
     * read. {@code problem} says since when and why.
     */
    CONFIGURATION_UNTIL_READ
  }

  /**
   * A field changed at run time: its name as PATCH /governor names it, the value set, the
   * configured value it overrides (null for a field this version does not have), whether it is in
   * force ({@code applied} false: it does not fit this configuration; {@code problem} says why), and
   * when and through what it was set.
   */
  public record FieldOverride(
      String field, double value, Double configured, boolean applied, Instant changedAt, String by) {}

  /** One job's part of the rate: its weight, its own cap, what it gets now, and why and since when it waits. */
  public record JobShare(
      String jobId,
      double weight,
      Double maxRowsPerSecond,
      double rowsPerSecond,
      String heldBackBecause,
      Instant heldBackSince) {}

  /**
   * The live path as the governor steers by it: the primary's healthy baseline (learned from quiet
   * probes), the latest probes, and their ratio, which the {@code live_latency_ratio} signal judges.
   * All of them are the primary's own timing of the probe; {@code latestRoundTripMs} is the latest
   * probe's round trip as the governor's node saw it, its own delays included, for comparison.
   * {@code untouchedTailMs}: the tail of the last 30 s of probes that no engine query ran beside:
   * the machine's own noise, and whatever the engine does outside its page queries (its CPU, when
   * it runs at normal priority); the tail is judged against it when it is above the baseline's.
   * {@code recentMeanWaitMs}: how long past the baseline's median the probes of the tail span
   * lasted, on average; shown beside the tail and not steered by (see LivePathMonitor#meanWaitMs).
   * {@code baselineTailProbes}: how many quiet probes the baseline's tail was read from (with fewer
   * than 100 a 99th percentile is their slowest: a quiet moment that ran out of time, or a
   * baseline taken over from another governor, which keeps the count it was learned from).
   * {@code baselineFrom}: whose probes learned the baseline, this governor's or, after the governor
   * moved to this node, the one's before it (null while there is none). {@code
   * baselineTakenOverFrom}: the node whose governor's baseline this one started from, for as long
   * as this one runs (null: it learned its own first).
   */
  public record LivePath(
      Double baselineMedianMs,
      Double baselineTailMs,
      Integer baselineTailProbes,
      double tailPercentile,
      Double baselineAgeSeconds,
      Double recentMedianMs,
      Double recentTailMs,
      Double untouchedTailMs,
      Double recentMeanWaitMs,
      Double ratio,
      boolean measuringBaseline,
      Double latestRoundTripMs,
      String baselineFrom,
      String baselineTakenOverFrom) {}

  /** How page queries are sized: the target time on the primary, the measured cost per row, the rows that buys. */
  public record Pages(double targetMillis, Double millisPerRow, int rowsPerPage) {}
}
