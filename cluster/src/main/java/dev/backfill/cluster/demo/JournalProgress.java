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
 * <p>Each row names its {@code writer}: a new one for every incarnation of the job's supervisor
 * (Pekko's writer UUID, drawn when the supervisor starts), which tells progress made after a kill
 * from a checkpoint the killed incarnation had sent just before it and the journal committed after.
 *
 * <p>It reconnects on every failure, so it rides out the journal's own outages.
 */
final class JournalProgress implements AutoCloseable {

  /**
   * Events of one writer that may still commit after it is killed: a supervisor persists one event
   * at a time, so one may be in flight when the mark is read, and once it commits the next may be
   * in flight when the kill lands.
   */
  static final int IN_FLIGHT = 2;

  /** The job's journal as it stood: its highest sequence number and that event's writer (null: none). */
  record Mark(long sequenceNr, String writer) {

    /**
     * Whether a checkpoint after this mark is one the mark's writer, killed right after it was
     * read, cannot have written: another writer's, or one further past the mark than it could have
     * had in flight (then the writer was not killed after all: the job did not run where it said).
     */
    boolean notInFlightOfItsWriter(long sequenceNr, String writer) {
      return this.writer == null || !this.writer.equals(writer) || sequenceNr > this.sequenceNr + IN_FLIGHT;
    }
  }

  private static final long POLL_MS = 100;

  /** Checkpoints, and the completion, which also records that every call finished. */
  private static final String PROGRESS =
      "SELECT sequence_number, writer FROM event_journal WHERE persistence_id = ? AND sequence_number > ?"
          + " AND (event_ser_manifest LIKE ? OR event_ser_manifest LIKE ?) ORDER BY sequence_number";

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
              "SELECT sequence_number, writer FROM event_journal WHERE persistence_id = ?"
                  + " ORDER BY sequence_number DESC LIMIT 1")) {
        statement.setString(1, persistenceId);
        try (ResultSet rows = statement.executeQuery()) {
          return rows.next() ? new Mark(rows.getLong(1), rows.getString(2)) : new Mark(0, null);
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
    return awaitProgress(mark, false, deadlineNanos);
  }

  /**
   * As {@link #awaitProgress}, for a mark read just before its writer's node was killed: only a
   * checkpoint that writer cannot have written counts ({@link Mark#notInFlightOfItsWriter}), so
   * that one it sent before dying, and the journal committed later, is not taken for the recovery.
   */
  OptionalLong awaitProgressAfterItsWriterDied(Mark mark, long deadlineNanos) throws InterruptedException {
    return awaitProgress(mark, true, deadlineNanos);
  }

  private OptionalLong awaitProgress(Mark mark, boolean writerDied, long deadlineNanos) throws InterruptedException {
    while (System.nanoTime() < deadlineNanos) {
      long polledAt = System.nanoTime();
      try (PreparedStatement statement = connection().prepareStatement(PROGRESS)) {
        statement.setString(1, persistenceId);
        statement.setLong(2, mark.sequenceNr());
        statement.setString(3, JobEvent.ProgressRecorded.class.getName() + "%");
        statement.setString(4, JobEvent.JobCompleted.class.getName() + "%");
        try (ResultSet rows = statement.executeQuery()) {
          while (rows.next()) {
            if (!writerDied || mark.notInFlightOfItsWriter(rows.getLong(1), rows.getString(2))) {
              return OptionalLong.of(polledAt);
            }
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
