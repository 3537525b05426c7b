package dev.backfill.engine.governor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs that asked the governor for leases lately: each one's claim on the row rate (priority
 * and cap), its own token bucket refilled at its fair share, and why and since when it is held
 * back. Plain Java, owned by the governor; time in nanoseconds.
 */
final class JobMeters {

  /** A job's claim on the rate, and its own bucket refilled at its share. */
  static final class JobMeter {
    private double weight;
    private Double maxRowsPerSecond;
    private Instant lastSeen;
    private String heldBackBecause;
    private Instant heldBackSince;
    final TokenBucket rows;

    private JobMeter(long nowNanos) {
      // A page may be taken as soon as the bucket is not in debt; its cost is paid afterwards.
      this.rows = new TokenBucket(0, 1, TokenBucket.SCHEDULER_SLACK, nowNanos);
    }

    /** Held back: keeps the first time it was, so the job can say since when. */
    Instant heldBack(String because, Instant now) {
      if (heldBackSince == null) {
        heldBackSince = now;
      }
      heldBackBecause = because;
      return heldBackSince;
    }

    void granted() {
      heldBackBecause = null;
      heldBackSince = null;
    }
  }

  private final Map<String, JobMeter> jobs = new LinkedHashMap<>();

  /**
   * The job's meter, with its claim brought up to date. The claim is within {@link RuntimeLimits}:
   * the governor reads a larger one as the top of its range and refuses any other before this.
   */
  JobMeter claim(String jobId, double weight, Double maxRowsPerSecond, Instant now, long nowNanos) {
    JobMeter meter = jobs.computeIfAbsent(jobId, id -> new JobMeter(nowNanos));
    meter.weight = weight;
    meter.maxRowsPerSecond = maxRowsPerSecond;
    meter.lastSeen = now;
    return meter;
  }

  /** Forgets jobs that have not asked for {@code idleAfter}: a finished or stopped job stops counting. */
  void forgetIdle(Duration idleAfter, Instant now) {
    jobs.values().removeIf(meter -> meter.lastSeen.plus(idleAfter).isBefore(now));
  }

  boolean isEmpty() {
    return jobs.isEmpty();
  }

  int size() {
    return jobs.size();
  }

  /** Splits {@code rowsPerSecond} among the jobs by weight and cap. */
  void reshare(double rowsPerSecond, long nowNanos) {
    Map<String, FairShare.Claim> claims = new LinkedHashMap<>();
    jobs.forEach((id, meter) -> claims.put(id, new FairShare.Claim(meter.weight, meter.maxRowsPerSecond)));
    Map<String, Double> shares = FairShare.allocate(rowsPerSecond, claims);
    shares.forEach((id, rate) -> jobs.get(id).rows.setRate(rate, nowNanos));
  }

  List<GovernorView.JobShare> shares() {
    List<GovernorView.JobShare> shares = new ArrayList<>();
    jobs.forEach(
        (id, meter) ->
            shares.add(
                new GovernorView.JobShare(
                    id, meter.weight, meter.maxRowsPerSecond, meter.rows.rate(), meter.heldBackBecause, meter.heldBackSince)));
    return shares;
  }
}
