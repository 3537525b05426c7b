package dev.backfill.gatling;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's connections on the primary, from the primary's own pg_stat_activity, sampled every
 * 100 ms while a scenario runs: the most seen at once, and how many samples succeeded (a sampler
 * that never got an answer shows as such, not as a reassuring 0). The engine's cap is its query
 * slots plus the governor's probe.
 */
final class PrimaryConnections implements AutoCloseable {

  private final BackfillCluster.Primary primary;
  private final Connection connection;
  private final PreparedStatement count;
  private final AtomicInteger peak = new AtomicInteger();
  private final AtomicInteger samples = new AtomicInteger();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "primary-connections");
            thread.setDaemon(true);
            return thread;
          });

  private PrimaryConnections(BackfillCluster.Primary primary) throws SQLException {
    this.primary = primary;
    // The server's postgres database, so that the sampler is not counted against the calls one.
    int slash = primary.url().lastIndexOf('/');
    String database = primary.url().substring(slash + 1).replaceAll("\\?.*", "");
    this.connection =
        DriverManager.getConnection(
            primary.url().substring(0, slash + 1) + "postgres?ApplicationName=gatling-monitor", primary.user(), primary.password());
    this.count =
        connection.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ? AND datname = ?");
    count.setString(1, primary.applicationName() + "%");
    count.setString(2, database);
  }

  static PrimaryConnections watch(BackfillCluster.Primary primary) {
    try {
      PrimaryConnections connections = new PrimaryConnections(primary);
      connections.sampler.scheduleAtFixedRate(connections::sample, 0, 100, TimeUnit.MILLISECONDS);
      return connections;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot watch the primary at " + primary.url() + ": " + e.getMessage(), e);
    }
  }

  /** The engine's query slots and its probe: the most connections it may hold on the primary. */
  int cap() {
    return primary.maxConcurrentQueries() + 1;
  }

  int peak() {
    return peak.get();
  }

  int samples() {
    return samples.get();
  }

  private void sample() {
    try (ResultSet rows = count.executeQuery()) {
      rows.next();
      peak.accumulateAndGet(rows.getInt(1), Math::max);
      samples.incrementAndGet();
    } catch (SQLException e) {
      // Not counted: the sample count shows it.
    }
  }

  @Override
  public void close() {
    sampler.shutdownNow();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
      connection.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      // Closing only.
    }
  }
}
