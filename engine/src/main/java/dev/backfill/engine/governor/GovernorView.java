package dev.backfill.engine.governor;

import dev.backfill.protocol.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What the governor is doing and why: the budget, the thresholds, the latest reading of every
 * health signal, the rate in force, and how it is shared among the jobs asking for it.
 */
public record GovernorView(
    GovernorBudget budget,
    HealthThresholds thresholds,
    String mode,
    boolean paused,
    String reason,
    double rowsPerSecond,
    double queryMillisPerSecond,
    int concurrency,
    List<SignalReading> signals,
    Instant sampledAt,
    int activeLeases,
    List<JobShare> jobs,
    long leasesGranted,
    long leasesDenied,
    long leasesExpired)
    implements CborSerializable {

  /** One job's part of the rate: its weight, its own cap, and what it gets now. */
  public record JobShare(
      String jobId, double weight, Double maxRowsPerSecond, double rowsPerSecond, String heldBackBecause) {}
}
