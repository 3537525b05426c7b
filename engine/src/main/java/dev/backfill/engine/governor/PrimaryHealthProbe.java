package dev.backfill.engine.governor;

import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Reads the primary's health: the latency of a live probe query shaped like the recording path's,
 * the number of active backends that are not the engine's, and the replication lag when the URL
 * points at a replica. One connection (application name {@code backfill-engine-probe}), kept open
 * between samples and reopened after a failure. A probe that fails or times out fails the
 * returned stage: the governor then counts it as critical, so an unreachable primary never reads
 * as healthy.
 */
public final class PrimaryHealthProbe implements AutoCloseable {

  public static final String APPLICATION_NAME_PREFIX = "backfill-engine";

  private static final String ACTIVE_BACKENDS =
      "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend'"
          + " AND application_name NOT LIKE '"
          + APPLICATION_NAME_PREFIX
          + "%' AND pid <> pg_backend_pid()";

  private static final String REPLICATION_LAG_MS =
      "SELECT CASE WHEN pg_is_in_recovery()"
          + " THEN coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0)"
          + " END";

  private final PrimarySettings primary;
  private final Executor jdbcExecutor;
  private final String probeQuery;
  private final Duration probeTimeout;
  private Connection connection;

  public PrimaryHealthProbe(
      PrimarySettings primary, Executor jdbcExecutor, String probeQuery, Duration probeTimeout) {
    this.primary = primary;
    this.jdbcExecutor = jdbcExecutor;
    this.probeQuery = probeQuery;
    this.probeTimeout = probeTimeout;
  }

  /** Samples are taken one at a time (the governor never overlaps them). */
  public CompletionStage<HealthSample> sample() {
    return CompletableFuture.supplyAsync(this::sampleNow, jdbcExecutor);
  }

  private synchronized HealthSample sampleNow() {
    Instant at = Instant.now();
    double timeoutMs = probeTimeout.toMillis();
    try {
      Connection db = connection();
      long start = System.nanoTime();
      try (Statement probe = db.createStatement()) {
        probe.setQueryTimeout((int) Math.max(1, probeTimeout.toSeconds()));
        probe.execute(probeQuery);
      }
      double latencyMs = Math.min(timeoutMs, (System.nanoTime() - start) / 1_000_000.0);
      int activeBackends;
      Double lagMs;
      try (Statement statement = db.createStatement()) {
        try (ResultSet rows = statement.executeQuery(ACTIVE_BACKENDS)) {
          rows.next();
          activeBackends = rows.getInt(1);
        }
        try (ResultSet rows = statement.executeQuery(REPLICATION_LAG_MS)) {
          rows.next();
          double lag = rows.getDouble(1);
          lagMs = rows.wasNull() ? null : lag;
        }
      }
      return new HealthSample(at, latencyMs, activeBackends, lagMs);
    } catch (SQLException e) {
      closeQuietly();
      throw new IllegalStateException("the health probe failed: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties properties = new Properties();
      properties.setProperty("user", primary.user());
      properties.setProperty("password", primary.password());
      properties.setProperty("ApplicationName", APPLICATION_NAME_PREFIX + "-probe");
      properties.setProperty("readOnly", "true");
      properties.setProperty("connectTimeout", Long.toString(Math.max(1, probeTimeout.toSeconds())));
      // The probe must not wait behind locks longer than its timeout.
      properties.setProperty(
          "options", "-c statement_timeout=" + probeTimeout.toMillis() + " -c lock_timeout=" + probeTimeout.toMillis());
      connection = DriverManager.getConnection(primary.url(), properties);
    }
    return connection;
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is being thrown away
      }
      connection = null;
    }
  }
}
