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

/**
 * Measures the engine's load on the primary from the primary's own statistics, not from the
 * engine's counters: connections whose application name starts with the engine's (its page
 * queries and the governor's health probe; pg_stat_activity, sampled every 100 ms)
 * and transactions on the calls database (pg_stat_database). It connects to the server's
 * {@code postgres} database, so its own queries are not counted against the calls database.
 */
final class PrimaryLoadMonitor implements AutoCloseable {

  private final Connection connection;
  private final String applicationName;
  private final String database;
  private final AtomicInteger maxConnections = new AtomicInteger();
  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "primary-load-monitor");
            thread.setDaemon(true);
            return thread;
          });
  private PreparedStatement countConnections;

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

  void start() throws SQLException {
    countConnections =
        connection.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE ? AND datname = ?");
    countConnections.setString(1, applicationName + "%");
    countConnections.setString(2, database);
    sampler.scheduleAtFixedRate(this::sample, 0, 100, TimeUnit.MILLISECONDS);
  }

  int maxConnections() {
    return maxConnections.get();
  }

  /** Transactions committed or rolled back on the calls database so far, by anyone. */
  synchronized long transactions() throws SQLException {
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

  /**
   * The transaction count once the statistics have caught up: PostgreSQL 14 reports them with a
   * delay of up to half a second, so read until two reads a beat apart agree.
   */
  long settledTransactions() throws SQLException, InterruptedException {
    long previous = transactions();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(300);
      long now = transactions();
      if (now == previous) {
        return now;
      }
      previous = now;
    }
    return previous;
  }

  private synchronized void sample() {
    try (ResultSet rows = countConnections.executeQuery()) {
      rows.next();
      maxConnections.accumulateAndGet(rows.getInt(1), Math::max);
    } catch (SQLException e) {
      // A missed sample only makes the maximum less precise.
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
