package dev.backfill.engine.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A job's results as Cassandra holds them ({@code call_results} rows whose {@code job_id} is the
 * job's): what a test counts to see that a job processes calls, or that it processes none, from
 * the store rather than from the job's own counters. Every reading is one scan of the test's
 * keyspace, which holds a few thousand rows at most.
 *
 * <p>The waits poll with a deadline; {@link #assertUnchangedFor} is a bounded observation window
 * (a wait for absence: nothing may happen during it), the only way to see that nothing happens.
 */
public final class JobResults {

  /** Between two readings of a wait: each reading is a scan, so not much more often than this. */
  private static final Duration BETWEEN_READINGS = Duration.ofMillis(250);

  private JobResults() {}

  /** The job's result rows now. */
  public static long count(CqlSession session, String jobId) {
    return callIds(session, jobId).size();
  }

  /** The calls the job wrote a result for (a call it found done and skipped is not among them). */
  public static Set<Long> callIds(CqlSession session, String jobId) {
    SimpleStatement scan =
        SimpleStatement.newInstance("SELECT call_id, job_id FROM call_results")
            .setPageSize(5000)
            .setTimeout(Duration.ofSeconds(30));
    Set<Long> calls = new HashSet<>();
    for (Row row : session.execute(scan)) {
      if (jobId.equals(row.getString("job_id"))) {
        calls.add(row.getLong("call_id"));
      }
    }
    return calls;
  }

  /** Polls until the job has more than {@code than} results, and returns their count. */
  public static long awaitMoreThan(CqlSession session, String jobId, long than, Duration deadline) {
    long end = System.nanoTime() + deadline.toNanos();
    long count = count(session, jobId);
    while (count <= than) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError(
            "job " + jobId + " still has " + count + " results after " + deadline + ", expected more than " + than);
      }
      betweenReadings();
      count = count(session, jobId);
    }
    return count;
  }

  /**
   * Polls until the job's results have stopped changing: the same count for {@code quiet} in a row.
   * After a pause or a cancel has answered, the calls it found in flight still finish; this waits
   * them out. A job that keeps writing fails this at {@code deadline}. Returns the settled count.
   */
  public static long awaitSettled(CqlSession session, String jobId, Duration quiet, Duration deadline) {
    long start = System.nanoTime();
    long count = count(session, jobId);
    long sameSince = System.nanoTime();
    while (System.nanoTime() - sameSince < quiet.toNanos()) {
      if (System.nanoTime() - start > deadline.toNanos()) {
        throw new AssertionError(
            "job " + jobId + "'s results still change after " + deadline + " (now " + count + ")");
      }
      betweenReadings();
      long now = count(session, jobId);
      if (now != count) {
        count = now;
        sameSince = System.nanoTime();
      }
    }
    return count;
  }

  /**
   * A bounded observation window: reads the job's results throughout {@code window} and fails at
   * the first reading that is not {@code expected}.
   */
  public static void assertUnchangedFor(CqlSession session, String jobId, long expected, Duration window) {
    long start = System.nanoTime();
    while (true) {
      long now = count(session, jobId);
      long elapsed = System.nanoTime() - start;
      if (now != expected) {
        throw new AssertionError(
            "job " + jobId + " wrote results when it should write none: " + expected + " became " + now
                + " within " + Duration.ofNanos(elapsed).toMillis() + " ms");
      }
      if (elapsed >= window.toNanos()) {
        return;
      }
      betweenReadings();
    }
  }

  /**
   * A bounded observation window: reads the job's results throughout {@code window} and fails at
   * the first reading more than {@code most} above {@code from}. Returns the last reading.
   */
  public static long assertGrowsAtMostDuring(
      CqlSession session, String jobId, long from, long most, Duration window) {
    long start = System.nanoTime();
    while (true) {
      long now = count(session, jobId);
      long elapsed = System.nanoTime() - start;
      if (now - from > most) {
        throw new AssertionError(
            "job " + jobId + " wrote " + (now - from) + " results within " + Duration.ofNanos(elapsed).toMillis()
                + " ms, more than the " + most + " allowed in " + window.toMillis() + " ms");
      }
      if (elapsed >= window.toNanos()) {
        return now;
      }
      betweenReadings();
    }
  }

  /**
   * Polls until the job writes faster than {@code perSecond} results a second over the latest span
   * of at least {@code over}, and returns that rate; fails at {@code deadline}. Any such span will
   * do, so that a slow start is waited out.
   */
  public static double awaitRateAbove(
      CqlSession session, String jobId, double perSecond, Duration over, Duration deadline) {
    long start = System.nanoTime();
    List<long[]> readings = new ArrayList<>();
    double best = 0;
    while (true) {
      long count = count(session, jobId);
      long now = System.nanoTime();
      readings.add(new long[] {now, count});
      for (int i = readings.size() - 2; i >= 0; i--) {
        long[] earlier = readings.get(i);
        if (now - earlier[0] >= over.toNanos()) {
          double rate = (count - earlier[1]) / ((now - earlier[0]) / 1e9);
          if (rate > perSecond) {
            return rate;
          }
          best = Math.max(best, rate);
          break;
        }
      }
      if (now - start > deadline.toNanos()) {
        throw new AssertionError(
            String.format(
                "job %s never wrote more than %.1f results/s over %d ms within %s (at best %.1f/s)",
                jobId, perSecond, over.toMillis(), deadline, best));
      }
      betweenReadings();
    }
  }

  private static void betweenReadings() {
    try {
      Thread.sleep(BETWEEN_READINGS.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while watching a job's results", e);
    }
  }
}
