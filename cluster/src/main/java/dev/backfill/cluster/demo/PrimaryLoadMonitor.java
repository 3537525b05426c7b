package dev.backfill.cluster.demo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the engine's load on the primary from the primary's own statistics, not from the
 * engine's counters, over a window the caller opens and closes around the jobs: connections whose
 * application name starts with the engine's (its page queries and the governor's health probe;
 * pg_stat_activity, sampled every 100 ms, with the number of samples that succeeded, so that a
 * sampler that never got an answer shows as such and not as "0 connections") and transactions on
 * the calls database (pg_stat_database; by anyone: page queries, the governor's probe, autovacuum).
 * It connects to the server's {@code postgres} database, so its own queries are not counted
 * against the calls database.
 */
final class PrimaryLoadMonitor implements AutoCloseable {

  /**
   * What the window saw.
   *
   * @param maxConnections the most engine connections in one sample; null if no sample succeeded
   * @param samples the pg_stat_activity samples that succeeded
   * @param transactions transactions committed or rolled back on the calls database
   */
  record Window(long millis, Integer maxConnections, long samples, long transactions) {}

  private final Connection connection;
  private final String applicationName;
  private final String database;
  private final AtomicInteger maxConnections = new AtomicInteger();
  private final AtomicLong samples = new AtomicLong();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "primary-load-monitor");
            thread.setDaemon(true);
            return thread;
          });
  private PreparedStatement countConnections;
  private long openedAt;
  private long transactionsAtOpen;

  PrimaryLoadMonitor(String primaryUrl, String user, String password, String applicationName)
      throws SQLException {
    int slash = primaryUrl.lastIndexOf('/');
    String query = primaryUrl.contains("?") ? primaryUrl.substring(primaryUrl.indexOf('?')) : "";
    this.database = primaryUrl.substring(slash + 1).replace(query, "");
    this.connection =
        DriverManager.getConnection(
            primaryUrl.substring(0, slash + 1) + "postgres?ApplicationName=backfill-monitor",
            user,
            password);
    this.applicationName = applicationName;
  }

  /** Opens the window: the transaction count now, and connection samples from now on. */
  void openWindow() throws SQLException {
    countConnections =
        connection.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ? AND datname = ?");
    countConnections.setString(1, applicationName + "%");
    countConnections.setString(2, database);
    transactionsAtOpen = transactions();
    openedAt = System.nanoTime();
    sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Closes the window. PostgreSQL publishes a backend's transaction counts with a delay of up to
   * about half a second (a second on 15 and later), at both ends alike: the window is as long as
   * the jobs, shifted by that delay.
   */
  Window closeWindow() throws SQLException, InterruptedException {
    sampler.shutdownNow();
    sampler.awaitTermination(5, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedAt);
    long transactions = transactions() - transactionsAtOpen;
    long taken = samples.get();
    return new Window(millis, taken == 0 ? null : maxConnections.get(), taken, transactions);
  }

  /** Transactions committed or rolled back on the calls database so far, by anyone. */
  private synchronized long transactions() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '"
                  + database.replace("'", "''")
                  + "'")) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }

  private synchronized void sample() {
    try (ResultSet rows = countConnections.executeQuery()) {
      rows.next();
      maxConnections.accumulateAndGet(rows.getInt(1), Math::max);
      samples.incrementAndGet();
    } catch (SQLException e) {
      // A missed sample only makes the maximum less precise; the count of samples shows it.
    }
  }

  @Override
  public void close() throws SQLException {
    sampler.shutdownNow();
    synchronized (this) {
      connection.close();
    }
  }
}
