package dev.backfill.bench.live;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * One connection of the live recording path and the transaction it runs: record a call, then show
 * the tenant its latest recordings, as the product's upload handler does.
 */
final class LiveConnection implements AutoCloseable {

  static final String APPLICATION_NAME = "live-recording-path";
  private static final int VALIDITY_CHECK_SECONDS = 2;

  private final String url;
  private final Properties properties = new Properties();
  private Connection connection;
  private PreparedStatement insert;
  private PreparedStatement latest;

  LiveConnection(String url, String user, String password) {
    this.url = url;
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("ApplicationName", APPLICATION_NAME);
  }

  void open() throws SQLException {
    connection = DriverManager.getConnection(url, properties);
    connection.setAutoCommit(false);
    insert = connection.prepareStatement(
        "INSERT INTO live_recordings (tenant, duration_s, source) VALUES (?, ?, ?)");
    latest = connection.prepareStatement(
        "SELECT id, started_at, duration_s, source FROM live_recordings"
            + " WHERE tenant = ? ORDER BY started_at DESC LIMIT 5");
  }

  void recordAndReadLatest(String tenant, int durationSeconds, String source) throws SQLException {
    if (connection == null) {
      open();
    }
    insert.setString(1, tenant);
    insert.setInt(2, durationSeconds);
    insert.setString(3, source);
    insert.executeUpdate();
    latest.setString(1, tenant);
    try (ResultSet rows = latest.executeQuery()) {
      while (rows.next()) {
        rows.getLong(1);
        rows.getTimestamp(2);
        rows.getInt(3);
        rows.getString(4);
      }
    }
    connection.commit();
  }

  /** After a failed transaction: roll back, and start over on a new connection if this one is broken. */
  void recover() {
    if (connection == null) {
      return;
    }
    try {
      connection.rollback();
      if (connection.isValid(VALIDITY_CHECK_SECONDS)) {
        return;
      }
    } catch (SQLException brokenConnection) {
      // Falls through to dropping it; the next transaction opens a new one.
    }
    close();
  }

  @Override
  public void close() {
    if (connection == null) {
      return;
    }
    try {
      connection.close();
    } catch (SQLException alreadyGone) {
      // Nothing to release on a connection the server already dropped.
    }
    connection = null;
  }
}
