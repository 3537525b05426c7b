package dev.backfill.engine.testing;

import dev.backfill.protocol.call.CallRow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;

/** Puts a few hand-made calls into a test's primary database. */
public final class PrimaryRows {

  private PrimaryRows() {}

  public static void insert(String jdbcUrl, List<CallRow> calls) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO calls (id, tenant, started_at, duration_s, source, transcript)"
                    + " VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
      for (CallRow call : calls) {
        insert.setLong(1, call.id());
        insert.setString(2, call.tenant());
        insert.setTimestamp(3, new Timestamp(call.startedAtEpochMs()));
        insert.setInt(4, call.durationSeconds());
        insert.setString(5, call.source());
        insert.setString(6, call.transcriptJson());
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot insert test calls", e);
    }
  }
}
