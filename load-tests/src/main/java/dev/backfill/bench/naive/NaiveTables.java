package dev.backfill.bench.naive;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** The naive design's two tables, which it kept in the primary database beside {@code calls}. */
final class NaiveTables {

  private static final List<String> INSTALL =
      List.of(
          """
          CREATE TABLE IF NOT EXISTS naive_tasks (
            call_id    bigint PRIMARY KEY,
            state      text NOT NULL DEFAULT 'pending',
            claimed_at timestamptz,
            done_at    timestamptz)""",
          // Only pending rows are indexed, so claiming the next task stays an index probe however
          // many are done, as a competent team would have had it.
          "CREATE INDEX IF NOT EXISTS naive_tasks_pending_idx ON naive_tasks (call_id)"
              + " WHERE state = 'pending'",
          """
          CREATE TABLE IF NOT EXISTS naive_results (
            call_id    bigint,
            processor  text,
            version    int,
            result     jsonb,
            written_at timestamptz DEFAULT now(),
            PRIMARY KEY (call_id, processor, version))""");

  private static final List<String> RESET =
      List.of(
          "TRUNCATE naive_results, naive_tasks",
          "INSERT INTO naive_tasks (call_id) SELECT id FROM calls",
          // Every run starts from the same planner statistics, not from whatever autovacuum last saw.
          "ANALYZE naive_tasks");

  private NaiveTables() {}

  static void install(String url, String user, String password) {
    run(url, user, password, "installing the naive queue's tables", INSTALL);
  }

  static void reset(String url, String user, String password) {
    run(url, user, password, "resetting the naive queue", RESET);
  }

  static long resultsWritten(String url, String user, String password) {
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery("SELECT count(*) FROM naive_results")) {
      count.next();
      return count.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("counting naive results failed: " + e.getMessage(), e);
    }
  }

  /** The statements in one transaction, so a reset never leaves a half-filled task table. */
  private static void run(
      String url, String user, String password, String what, List<String> statements) {
    try (Connection connection = DriverManager.getConnection(url, user, password);
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      for (String sql : statements) {
        statement.execute(sql);
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(what + " failed on " + url + ": " + e.getMessage(), e);
    }
  }
}
