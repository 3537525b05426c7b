package dev.backfill.bench.primary;

import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The most connections one client design held on the primary during a run, sampled from
 * pg_stat_activity every 100 ms. It counts its samples, so that a sampler that died reports too
 * few samples instead of a reassuring 0.
 */
public final class ConnectionPeak implements AutoCloseable {

  private final PrimaryStatistics statistics;
  private final String applicationNamePrefix;
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger samples = new AtomicInteger();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "connection-peak");
            thread.setDaemon(true);
            return thread;
          });

  private ConnectionPeak(PrimaryStatistics statistics, String applicationNamePrefix) {
    this.statistics = statistics;
    this.applicationNamePrefix = applicationNamePrefix;
  }

  public static ConnectionPeak start(PrimaryStatistics statistics, String applicationNamePrefix) {
    ConnectionPeak peak = new ConnectionPeak(statistics, applicationNamePrefix);
    peak.sampler.scheduleAtFixedRate(peak::sample, 0, 100, TimeUnit.MILLISECONDS);
    return peak;
  }

  public int peak() {
    return peak.get();
  }

  public int samples() {
    return samples.get();
  }

  private void sample() {
    try {
      peak.accumulateAndGet(statistics.connections(applicationNamePrefix), Math::max);
      samples.incrementAndGet();
    } catch (SQLException e) {
      // A failed sample is not counted, so the sample count shows it.
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
