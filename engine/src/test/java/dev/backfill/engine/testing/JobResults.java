package dev.backfill.engine.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * A job's results as Cassandra holds them ({@code call_results} rows whose {@code job_id} is the
 * job's): what a test counts to see that a job processes calls, or that it processes none, from
 * the store rather than from the job's own counters. Every reading is one scan of the test's
 * keyspace, which holds a few thousand rows at most.
 *
 * <p>The waits are the testkit's {@code awaitAssert} on {@code waiter}, reading at most every
 * {@link #BETWEEN_READINGS}. {@link #assertUnchangedFor} and {@link #assertGrowsAtMostDuring} are
 * bounded observation windows (nothing may happen during them, the only way to see that nothing
 * happens): their readings are paced by {@code waiter.expectNoMessage}, the testkit's own window.
 * The waiter receives no message; any probe of the test's actor system will do.
 */
public final class JobResults {

  /** Between two readings: each reading is a scan, so not much more often than this. */
  private static final Duration BETWEEN_READINGS = Duration.ofMillis(250);

  private final CqlSession session;
  private final TestProbe<?> waiter;

  public JobResults(CqlSession session, TestProbe<?> waiter) {
    this.session = session;
    this.waiter = waiter;
  }

  /** The job's result rows now. */
  public long count(String jobId) {
    return callIds(jobId).size();
  }

  /** The calls the job wrote a result for (a call it found done and skipped is not among them). */
  public Set<Long> callIds(String jobId) {
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

  /** Waits until the job has more than {@code than} results, and returns their count. */
  public long awaitMoreThan(String jobId, long than, Duration deadline) {
    return waiter.awaitAssert(
        deadline,
        BETWEEN_READINGS,
        () -> {
          long count = count(jobId);
          if (count <= than) {
            throw new AssertionError("job " + jobId + " has " + count + " results, expected more than " + than);
          }
          return count;
        });
  }

  /**
   * Waits until the job's results have stopped changing: the same count for {@code quiet} in a
   * row. After a pause or a cancel has answered, the calls it found in flight still finish; this
   * waits them out. A job that keeps writing fails this at {@code deadline}. Returns the settled
   * count.
   */
  public long awaitSettled(String jobId, Duration quiet, Duration deadline) {
    long[] lastChange = {System.nanoTime(), count(jobId)};
    return waiter.awaitAssert(
        deadline,
        BETWEEN_READINGS,
        () -> {
          long now = count(jobId);
          if (now != lastChange[1]) {
            lastChange[0] = System.nanoTime();
            lastChange[1] = now;
          }
          long sameFor = System.nanoTime() - lastChange[0];
          if (sameFor < quiet.toNanos()) {
            throw new AssertionError(
                "job " + jobId + "'s results still change: " + now + ", the same for "
                    + Duration.ofNanos(sameFor).toMillis() + " ms of the " + quiet.toMillis() + " asked");
          }
          return now;
        });
  }

  /**
   * A bounded observation window: reads the job's results throughout {@code window} and fails at
   * the first reading that is not {@code expected}.
   */
  public void assertUnchangedFor(String jobId, long expected, Duration window) {
    readThroughout(
        jobId,
        window,
        (now, elapsedMillis) -> {
          if (now != expected) {
            throw new AssertionError(
                "job " + jobId + " wrote results when it should write none: " + expected + " became " + now
                    + " within " + elapsedMillis + " ms");
          }
        });
  }

  /**
   * A bounded observation window: reads the job's results throughout {@code window} and fails at
   * the first reading more than {@code most} above {@code from}. Returns the last reading.
   */
  public long assertGrowsAtMostDuring(String jobId, long from, long most, Duration window) {
    return readThroughout(
        jobId,
        window,
        (now, elapsedMillis) -> {
          if (now - from > most) {
            throw new AssertionError(
                "job " + jobId + " wrote " + (now - from) + " results within " + elapsedMillis
                    + " ms, more than the " + most + " allowed in " + window.toMillis() + " ms");
          }
        });
  }

  /**
   * Waits until the job writes faster than {@code perSecond} results a second over the latest span
   * of at least {@code over}, and returns that rate; fails at {@code deadline}. Any such span will
   * do, so that a slow start is waited out.
   */
  public double awaitRateAbove(String jobId, double perSecond, Duration over, Duration deadline) {
    List<long[]> readings = new ArrayList<>();
    double[] best = {0};
    return waiter.awaitAssert(
        deadline,
        BETWEEN_READINGS,
        () -> {
          long count = count(jobId);
          long now = System.nanoTime();
          readings.add(new long[] {now, count});
          for (int i = readings.size() - 2; i >= 0; i--) {
            long[] earlier = readings.get(i);
            if (now - earlier[0] >= over.toNanos()) {
              double rate = (count - earlier[1]) / ((now - earlier[0]) / 1e9);
              best[0] = Math.max(best[0], rate);
              if (rate > perSecond) {
                return rate;
              }
              break;
            }
          }
          throw new AssertionError(
              String.format(
                  "job %s has not written more than %.1f results/s over %d ms (at best %.1f/s)",
                  jobId, perSecond, over.toMillis(), best[0]));
        });
  }

  /** A reading's check: the count and the milliseconds since the window opened. */
  private interface ReadingCheck {
    void check(long count, long elapsedMillis);
  }

  private long readThroughout(String jobId, Duration window, ReadingCheck check) {
    long start = System.nanoTime();
    while (true) {
      long now = count(jobId);
      long elapsed = System.nanoTime() - start;
      check.check(now, Duration.ofNanos(elapsed).toMillis());
      if (elapsed >= window.toNanos()) {
        return now;
      }
      waiter.expectNoMessage(BETWEEN_READINGS);
    }
  }
}
