package dev.backfill.bench.live;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The live recording path's table on the primary, created by the benchmark the way the product
 * team's own migration would: no engine code involved.
 */
public final class LiveSchema {

  static final int SEEDED_TENANTS = 20;
  private static final int SEEDED_ROWS_PER_TENANT = 20;

  /** Arbitrary key: serializes concurrent installs, whose CREATE ... IF NOT EXISTS can still collide. */
  private static final long INSTALL_LOCK_KEY = 0x6c6976655f726563L;

  private LiveSchema() {}

  public static void install(String jdbcUrl, String user, String password) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
      connection.setAutoCommit(false);
      try (Statement statement = connection.createStatement()) {
        try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
          lock.setLong(1, INSTALL_LOCK_KEY);
          lock.execute();
        }
        statement.execute(
            "CREATE TABLE IF NOT EXISTS live_recordings ("
                + " id bigserial PRIMARY KEY,"
                + " tenant text NOT NULL,"
                + " started_at timestamptz NOT NULL DEFAULT now(),"
                + " duration_s int NOT NULL,"
                + " source text NOT NULL)");
        statement.execute(
            "CREATE INDEX IF NOT EXISTS live_recordings_tenant_started_at"
                + " ON live_recordings (tenant, started_at DESC)");
        if (isEmpty(statement)) {
          seed(statement);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot install live_recordings at " + jdbcUrl + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM live_recordings)")) {
      rows.next();
      return rows.getBoolean(1);
    }
  }

  /** Past recordings, an hour apart, so that the first reads of every tenant already find five rows. */
  private static void seed(Statement statement) throws SQLException {
    statement.execute(
        "INSERT INTO live_recordings (tenant, started_at, duration_s, source)"
            + " SELECT 'tenant-' || lpad(t::text, 2, '0'),"
            + "        now() - r * interval '1 hour',"
            + "        30 + (t * 37 + r * 101) % 1800,"
            + "        CASE WHEN r % 2 = 0 THEN 'phone' ELSE 'web_conference' END"
            + " FROM generate_series(1, " + SEEDED_TENANTS + ") AS t,"
            + "      generate_series(1, " + SEEDED_ROWS_PER_TENANT + ") AS r");
  }
}
