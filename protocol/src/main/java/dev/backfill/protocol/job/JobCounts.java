package dev.backfill.protocol.job;

import dev.backfill.protocol.CborSerializable;

/**
 * A job's counters. {@code scanned} calls were read from the primary; each of them ends as
 * processed (its result written by this job, now or before it was asked again), skipped (another
 * job's result was already there) or failed.
 */
public record JobCounts(long scanned, long processed, long skipped, long failed)
    implements CborSerializable {

  public static final JobCounts ZERO = new JobCounts(0, 0, 0, 0);

  public long finished() {
    return processed + skipped + failed;
  }

  public JobCounts plus(long processed, long skipped, long failed) {
    return new JobCounts(
        scanned, this.processed + processed, this.skipped + skipped, this.failed + failed);
  }

  public JobCounts withScanned(long scanned) {
    return new JobCounts(Math.max(this.scanned, scanned), processed, skipped, failed);
  }
}
