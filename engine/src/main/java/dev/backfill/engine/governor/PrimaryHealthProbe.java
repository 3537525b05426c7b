package dev.backfill.engine.governor;

import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reads the primary's health: how long the live path waits on the primary (many times a second),
 * and, less often, the number of active backends that are not the engine's and the replication lag
 * when the URL points at a replica. One connection (application name {@code backfill-engine-probe}),
 * kept open between probes and reopened after a failure, used from one thread of its own: a probe
 * that queued behind page queries on a shared pool would time the pool, not the primary. A probe
 * that fails or times out fails the returned stage: the governor then counts it as critical, so an
 * unreachable primary never reads as healthy.
 *
 * <p>The probe is timed by the primary's own clock, not by this node's. A backfill keeps its nodes
 * busy, and a probe timed from a busy node measures that node: how long its probe thread waited
 * for a core after the answer came. Measured so in the incident benchmark, the governor throttled
 * itself to 16 calls/s for its own CPU while the primary's core stood 70% idle. So the probe asks
 * the primary to sleep for a moment and then run a query shaped like the live path's, and to say
 * how long that took on its clock: the time past the sleep is the wait to be woken and given a
 * core again (what a live request waits for when page queries hold the primary's cores), plus the
 * live query's own run (what it waits for on locks, I/O and CPU). Probes sleep for a fixed time
 * and so wake at moments unrelated to the engine's queries: they sample the primary's
 * responsiveness as a live request arriving at a random moment meets it.
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

  /**
   * One probe: {@code primaryMillis} is the live path's wait on the primary as its own clock tells
   * it (wake-up and the live-shaped query), {@code roundTripMillis} the whole round trip as this
   * node saw it, its own delays included.
   */
  public record ProbeTiming(double primaryMillis, double roundTripMillis) {}

  /**
   * The primary sleeps before each probe, so that it has to wake up as a live request does.
   * pg_sleep waits in whole milliseconds and sleeps again if it woke a hair early: asked for 1 ms
   * it slept 1.2 or 2.2 ms at random (measured), which would be noise in the very tail the
   * governor watches. Asked for 0.9 ms it waits one whole millisecond once, and that is subtracted.
   */
  static final double SLEEP_ASKED_MILLIS = 0.9;

  static final double SLEEP_WAITED_MILLIS = 1.0;

  /** The slower signals: other clients' active backends, and replication lag (null on a primary). */
  public record PrimaryLoad(int activeBackends, Double replicationLagMs) {}

  /** Untimed runs of the probe on a new connection; the driver prepares server-side from the fifth. */
  private static final int WARM_UP_RUNS = 6;

  private final PrimarySettings primary;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread probing = new Thread(runnable, "backfill-primary-probe");
            probing.setDaemon(true);
            return probing;
          });
  private final String probeQuery;
  private final int roundTrips;
  private final Duration probeTimeout;
  private final String applicationName;
  private Connection connection;
  private PreparedStatement probe;

  public PrimaryHealthProbe(PrimarySettings primary, String probeQuery, int roundTrips, Duration probeTimeout) {
    this(primary, probeQuery, roundTrips, probeTimeout, APPLICATION_NAME_PREFIX + "-probe");
  }

  /**
   * A probe whose connection goes by another name: an observer outside the engine (the incident
   * benchmark's) must not be counted among the engine's connections nor excluded as one of them.
   */
  public PrimaryHealthProbe(
      PrimarySettings primary, String probeQuery, int roundTrips, Duration probeTimeout, String applicationName) {
    if (roundTrips < 1) {
      throw new IllegalArgumentException("probe round trips must be at least 1, was " + roundTrips);
    }
    this.primary = primary;
    this.probeQuery = probeQuery;
    this.roundTrips = roundTrips;
    this.probeTimeout = probeTimeout;
    this.applicationName = applicationName;
  }

  /** The primary this probes (its JDBC URL). */
  public String primaryUrl() {
    return primary.url();
  }

  /** One probe of the live path. */
  public CompletionStage<ProbeTiming> latency() {
    return CompletableFuture.supplyAsync(this::latencyNow, thread);
  }

  /**
   * The probe as the primary runs it: sleep, then the live-shaped query, then the primary's clock.
   * clock_timestamp() in the outer target list is read after both parts have produced their row.
   * The query must be one SELECT; a trailing semicolon is dropped, and it ends on a line of its
   * own so that a trailing comment cannot swallow the rest. Counting whole rows ({@code
   * count(live)}) makes the primary produce every column, as the live path's reads do.
   */
  static String timedOnPrimary(String probeQuery) {
    return "SELECT (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000000)::bigint"
        + " FROM (SELECT pg_sleep("
        + SLEEP_ASKED_MILLIS / 1000.0
        + ")) AS wake, (SELECT count(live) FROM (\n"
        + probeQuery.strip().replaceAll("[\\s;]+$", "")
        + "\n) AS live) AS read";
  }

  public CompletionStage<PrimaryLoad> load() {
    return CompletableFuture.supplyAsync(this::loadNow, thread);
  }

  /**
   * The probe, {@code roundTrips} times in a row, summed: the live path's transactions make
   * several round trips (insert, read, commit), and each one waits again for the primary's core
   * when a page query holds it. One round trip would see a third of that.
   */
  private synchronized ProbeTiming latencyNow() {
    try {
      PreparedStatement statement = probeStatement();
      long start = System.nanoTime();
      long primaryMicros = 0;
      for (int i = 0; i < roundTrips; i++) {
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          primaryMicros += Math.max(0, rows.getLong(1) - (long) (SLEEP_WAITED_MILLIS * 1000));
        }
      }
      double roundTrip = (System.nanoTime() - start) / 1_000_000.0 - roundTrips * SLEEP_WAITED_MILLIS;
      double limit = probeTimeout.toMillis();
      return new ProbeTiming(Math.min(limit, primaryMicros / 1000.0), Math.min(limit, Math.max(0, roundTrip)));
    } catch (SQLException e) {
      closeQuietly();
      throw new IllegalStateException("the health probe failed: " + e.getMessage(), e);
    }
  }

  private PreparedStatement probeStatement() throws SQLException {
    if (probe == null) {
      // Prepared once: the live path's own statements are prepared too, and planning it anew on
      // every probe would measure the planner.
      probe = connection().prepareStatement(timedOnPrimary(probeQuery));
      probe.setQueryTimeout((int) Math.max(1, probeTimeout.toSeconds()));
      // The first runs on a new connection load classes, warm caches and make the driver switch
      // to a server-side prepared statement: hundreds of milliseconds that say nothing about the
      // primary's health, and would pause every job at start.
      for (int i = 0; i < WARM_UP_RUNS; i++) {
        try (ResultSet rows = probe.executeQuery()) {
          rows.next();
        }
      }
    }
    return probe;
  }

  private synchronized PrimaryLoad loadNow() {
    try {
      Connection db = connection();
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
      return new PrimaryLoad(activeBackends, lagMs);
    } catch (SQLException e) {
      closeQuietly();
      throw new IllegalStateException("reading the primary's load failed: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null || connection.isClosed()) {
      Properties properties = new Properties();
      properties.setProperty("user", primary.user());
      properties.setProperty("password", primary.password());
      properties.setProperty("ApplicationName", applicationName);
      properties.setProperty("readOnly", "true");
      properties.setProperty("connectTimeout", Long.toString(Math.max(1, probeTimeout.toSeconds())));
      // A partitioned network hangs a read for ever, past any statement timeout: the socket gives up.
      properties.setProperty("socketTimeout", Long.toString(Math.max(1, probeTimeout.toSeconds()) + 2));
      // The probe must not wait behind locks longer than its timeout.
      properties.setProperty(
          "options", "-c statement_timeout=" + probeTimeout.toMillis() + " -c lock_timeout=" + probeTimeout.toMillis());
      connection = DriverManager.getConnection(primary.url(), properties);
    }
    return connection;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    synchronized (this) {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    probe = null;
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
