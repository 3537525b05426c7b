package dev.backfill.bench.primary;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Brings the primary back to a quiet state before a run, so that each run is charged with its own
 * load and not with the aftermath of the one before it. The naive runs write a result and update
 * a task per call into the primary; left alone, their dead tuples are vacuumed and their dirty
 * pages written out by autovacuum and the checkpointer during whatever run comes next (the engine
 * runs followed naive W=32 in the benchmark of 2026-11-30 and met the work it left behind).
 */
public final class PrimarySettler {

  /** How long to wait for autovacuum workers to finish before measuring anyway (and saying so). */
  private static final Duration AUTOVACUUM_WAIT = Duration.ofSeconds(120);

  private PrimarySettler() {}

  /**
   * Vacuums and analyses the calls database, checkpoints, and waits until no autovacuum worker
   * runs on it. Returns how long autovacuum was still busy after the wait, or zero when it was not.
   */
  public static Duration settle(String url, String user, String password) throws SQLException, InterruptedException {
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute("VACUUM ANALYZE");
      statement.execute("CHECKPOINT");
      long deadline = System.nanoTime() + AUTOVACUUM_WAIT.toNanos();
      while (autovacuumWorkers(statement) > 0) {
        if (System.nanoTime() > deadline) {
          return AUTOVACUUM_WAIT;
        }
        Thread.sleep(200);
      }
      return Duration.ZERO;
    }
  }

  private static int autovacuumWorkers(Statement statement) throws SQLException {
    statement.execute("SELECT pg_stat_clear_snapshot()");
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
                + " AND datname = current_database()")) {
      rows.next();
      return rows.getInt(1);
    }
  }
}
