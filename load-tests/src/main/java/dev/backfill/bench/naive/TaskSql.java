package dev.backfill.bench.naive;

import dev.backfill.protocol.call.CallRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The statements of one naive task, each run inside the worker's open transaction. Statements are
 * prepared per call; the driver keeps them prepared on the server after a few uses of the same
 * text on a connection, so this costs no more parsing than holding them would.
 */
final class TaskSql {

  private static final String CLAIM_NEXT =
      "SELECT call_id FROM naive_tasks WHERE state = 'pending'"
          + " ORDER BY call_id LIMIT 1 FOR UPDATE SKIP LOCKED";

  private static final String READ_CALL =
      "SELECT id, tenant, started_at, duration_s, source, transcript::text FROM calls WHERE id = ?";

  private static final String WRITE_RESULT =
      "INSERT INTO naive_results (call_id, processor, version, result) VALUES (?, ?, ?, ?::jsonb)"
          + " ON CONFLICT (call_id, processor, version)"
          + " DO UPDATE SET result = EXCLUDED.result, written_at = now()";

  // now() is the transaction's start, when the task was claimed; clock_timestamp() is the end.
  private static final String FINISH =
      "UPDATE naive_tasks SET state = ?, claimed_at = now(), done_at = clock_timestamp()"
          + " WHERE call_id = ?";

  private TaskSql() {}

  /** Locks the lowest pending task for this transaction, skipping those other workers hold. */
  static OptionalLong claimNext(Connection connection) throws SQLException {
    try (PreparedStatement claim = connection.prepareStatement(CLAIM_NEXT);
        ResultSet task = claim.executeQuery()) {
      return task.next() ? OptionalLong.of(task.getLong(1)) : OptionalLong.empty();
    }
  }

  /** Whether any task is still pending, locked by another worker or not. */
  static boolean anyPending(Connection connection) throws SQLException {
    try (PreparedStatement pending =
            connection.prepareStatement("SELECT EXISTS (SELECT 1 FROM naive_tasks WHERE state = 'pending')");
        ResultSet row = pending.executeQuery()) {
      row.next();
      return row.getBoolean(1);
    }
  }

  /** The call's row, or empty when it has gone from the table since the queue was filled. */
  static Optional<CallRow> readCall(Connection connection, long callId) throws SQLException {
    try (PreparedStatement read = connection.prepareStatement(READ_CALL)) {
      read.setLong(1, callId);
      try (ResultSet row = read.executeQuery()) {
        if (!row.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new CallRow(
                row.getLong(1),
                row.getString(2),
                row.getObject(3, OffsetDateTime.class).toInstant().toEpochMilli(),
                row.getInt(4),
                row.getString(5),
                row.getString(6)));
      }
    }
  }

  static void writeResult(
      Connection connection, long callId, String processor, int version, String resultJson)
      throws SQLException {
    try (PreparedStatement write = connection.prepareStatement(WRITE_RESULT)) {
      write.setLong(1, callId);
      write.setString(2, processor);
      write.setInt(3, version);
      write.setString(4, resultJson);
      write.executeUpdate();
    }
  }

  static void markDone(Connection connection, long callId) throws SQLException {
    finish(connection, callId, "done");
  }

  static void markFailed(Connection connection, long callId) throws SQLException {
    finish(connection, callId, "failed");
  }

  private static void finish(Connection connection, long callId, String state)
      throws SQLException {
    try (PreparedStatement update = connection.prepareStatement(FINISH)) {
      update.setString(1, state);
      update.setLong(2, callId);
      update.executeUpdate();
    }
  }
}
