package dev.backfill.bench.primary;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The primary's own account of its load, read from its statistics views rather than from any
 * client's counters. It connects to the server's {@code postgres} database so that its own
 * queries are not counted against the calls database it watches.
 */
public final class PrimaryStatistics implements AutoCloseable {

  /**
   * Cumulative counters of the calls database at one moment. {@code sessions}: connections
   * established to it so far (PostgreSQL 14's pg_stat_database.sessions): each one a backend the
   * primary forked and set up on its own cores.
   */
  public record Snapshot(
      long transactions, long tuplesReturned, long tuplesFetched, long blocksRead, long sessions, long nanos) {

    /** Per-second rates between an earlier snapshot and this one. */
    public Rates since(Snapshot earlier) {
      double seconds = Math.max(1e-9, (nanos - earlier.nanos) / 1e9);
      return new Rates(
          (transactions - earlier.transactions) / seconds,
          ((tuplesReturned - earlier.tuplesReturned) + (tuplesFetched - earlier.tuplesFetched)) / seconds,
          (blocksRead - earlier.blocksRead) / seconds,
          (sessions - earlier.sessions) / seconds);
    }
  }

  public record Rates(
      double transactionsPerSecond, double rowsReadPerSecond, double blocksReadPerSecond, double sessionsPerSecond) {}

  private final Connection connection;
  private final String database;

  public PrimaryStatistics(String primaryUrl, String user, String password) throws SQLException {
    int slash = primaryUrl.lastIndexOf('/');
    int question = primaryUrl.indexOf('?');
    this.database = primaryUrl.substring(slash + 1, question < 0 ? primaryUrl.length() : question);
    this.connection =
        DriverManager.getConnection(
            primaryUrl.substring(0, slash + 1) + "postgres?ApplicationName=bench-statistics", user, password);
  }

  public String database() {
    return database;
  }

  /**
   * The counters now. PostgreSQL 14 publishes them with up to half a second of delay, which is
   * small against a measured window of tens of seconds and the same at both ends.
   */
  public synchronized Snapshot snapshot() throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_stat_clear_snapshot()");
    }
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT xact_commit + xact_rollback, tup_returned, tup_fetched, blks_read, sessions"
                + " FROM pg_stat_database WHERE datname = ?")) {
      statement.setString(1, database);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          throw new SQLException("no statistics for database " + database);
        }
        return new Snapshot(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4), rows.getLong(5), System.nanoTime());
      }
    }
  }

  /** Client connections to the calls database whose application name starts with this prefix. */
  public synchronized int connections(String applicationNamePrefix) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND application_name LIKE ?"
                + " AND backend_type = 'client backend'")) {
      statement.setString(1, database);
      statement.setString(2, applicationNamePrefix.replace("%", "\\%").replace("_", "\\_") + "%");
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  @Override
  public synchronized void close() throws SQLException {
    connection.close();
  }
}
