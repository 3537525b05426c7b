package dev.backfill.cluster.demo;

import dev.backfill.cluster.cli.CliException;
import dev.backfill.engine.job.JobEvent;
import dev.backfill.engine.job.JobSupervisor;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A job's progress as the journal accepted it, read from the journal's own table (pekko-persistence
 * -jdbc's {@code event_journal}), not from any node: a checkpoint counts once its event is
 * committed there. Reading it asks no node anything, so it does not wake the job either, which a
 * {@code GET /jobs/{id}} would do, and a measured recovery is the cluster's own.
 *
 * <p>It reconnects on every failure, so it rides out the journal's own outages.
 */
final class JournalProgress implements AutoCloseable {

  /** The job's journal as it stood: its highest sequence number. */
  record Mark(long sequenceNr) {}

  private static final long POLL_MS = 100;

  /** Checkpoints, and the completion, which also records that every call finished. */
  private static final String PROGRESS =
      "SELECT 1 FROM event_journal WHERE persistence_id = ? AND sequence_number > ?"
          + " AND (event_ser_manifest LIKE ? OR event_ser_manifest LIKE ?) LIMIT 1";

  private final String url;
  private final Properties properties = new Properties();
  private final String persistenceId;
  private Connection connection;

  JournalProgress(String journalUrl, String user, String password, String jobId) {
    this.url = journalUrl;
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("ApplicationName", "backfill-chaos");
    properties.setProperty("connectTimeout", "2");
    properties.setProperty("socketTimeout", "5");
    this.persistenceId = JobSupervisor.ENTITY_TYPE_KEY.name() + "|" + jobId;
  }

  /** Where the job's journal stands now; waits (up to 2 minutes) while the journal does not answer. */
  Mark mark() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (PreparedStatement statement =
          connection().prepareStatement(
              "SELECT coalesce(max(sequence_number), 0) FROM event_journal WHERE persistence_id = ?")) {
        statement.setString(1, persistenceId);
        try (ResultSet rows = statement.executeQuery()) {
          rows.next();
          return new Mark(rows.getLong(1));
        }
      } catch (SQLException e) {
        last = e;
        disconnect();
        Thread.sleep(POLL_MS);
      }
    }
    throw new CliException("the journal did not answer for 2 minutes: " + (last == null ? "" : last.getMessage()));
  }

  /**
   * Waits for the first checkpoint (or the completion) committed after {@code mark}, polling every
   * 100 ms until {@code deadlineNanos}. Answers when it was seen ({@link System#nanoTime()}), or
   * nothing if it was not by then.
   */
  OptionalLong awaitProgress(Mark mark, long deadlineNanos) throws InterruptedException {
    while (System.nanoTime() < deadlineNanos) {
      long polledAt = System.nanoTime();
      try (PreparedStatement statement = connection().prepareStatement(PROGRESS)) {
        statement.setString(1, persistenceId);
        statement.setLong(2, mark.sequenceNr());
        statement.setString(3, JobEvent.ProgressRecorded.class.getName() + "%");
        statement.setString(4, JobEvent.JobCompleted.class.getName() + "%");
        try (ResultSet rows = statement.executeQuery()) {
          if (rows.next()) {
            return OptionalLong.of(polledAt);
          }
        }
      } catch (SQLException e) {
        disconnect();
      }
      Thread.sleep(Math.max(0, POLL_MS - (System.nanoTime() - polledAt) / 1_000_000));
    }
    return OptionalLong.empty();
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(url, properties);
    }
    return connection;
  }

  private void disconnect() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // it is gone either way
      }
      connection = null;
    }
  }

  @Override
  public void close() {
    disconnect();
  }
}
