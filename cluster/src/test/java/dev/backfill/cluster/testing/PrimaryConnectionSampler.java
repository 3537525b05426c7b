package dev.backfill.cluster.testing;

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
 * Samples, from the primary itself, how many connections the engine holds (pg_stat_activity by
 * application name) every 20 ms for as long as a test runs, keeping the maximum seen.
 */
public final class PrimaryConnectionSampler implements AutoCloseable {

  private final Connection connection;
  private final PreparedStatement count;
  private final AtomicInteger maxPages = new AtomicInteger();
  private final AtomicInteger maxAll = new AtomicInteger();
  private final AtomicInteger samples = new AtomicInteger();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

  public PrimaryConnectionSampler(String primaryUrl, String database) throws SQLException {
    String serverUrl = primaryUrl.substring(0, primaryUrl.lastIndexOf('/') + 1) + "postgres";
    connection = DriverManager.getConnection(serverUrl, "postgres", "");
    count =
        connection.prepareStatement(
            "SELECT count(*) FILTER (WHERE application_name = 'backfill-engine'),"
                + " count(*) FILTER (WHERE application_name LIKE 'backfill-engine%')"
                + " FROM pg_stat_activity WHERE datname = ?");
    count.setString(1, database);
    timer.scheduleAtFixedRate(this::sample, 0, 20, TimeUnit.MILLISECONDS);
  }

  /** Page-query connections (application name backfill-engine). */
  public int maxPageConnections() {
    return maxPages.get();
  }

  /** Every connection of the engine, the governor's health probe included. */
  public int maxEngineConnections() {
    return maxAll.get();
  }

  public int samples() {
    return samples.get();
  }

  private synchronized void sample() {
    try (ResultSet rows = count.executeQuery()) {
      rows.next();
      maxPages.accumulateAndGet(rows.getInt(1), Math::max);
      maxAll.accumulateAndGet(rows.getInt(2), Math::max);
      samples.incrementAndGet();
    } catch (SQLException e) {
      // a missed sample; the count of samples shows how many were taken
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    timer.shutdownNow();
    connection.close();
  }
}
