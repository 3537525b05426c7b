package dev.backfill.cluster.seed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.Transcript;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * Fills the primary database's {@code calls} table with realistic synthetic calls, using COPY
 * because row-by-row inserts would make seeding millions of calls take far longer than the
 * backfills it is meant to exercise.
 *
 * <p>The same seed always gives the same calls: call {@code id} depends only on the seed and its
 * id (see {@link SyntheticCalls}), not on how many calls are seeded or how they are chunked.
 *
 * <p>Seeding never overwrites or skips calls. Before writing anything it checks the id range with
 * one query and, if the table already holds any of those ids, refuses with an {@link
 * IllegalArgumentException} naming the first one and suggesting another {@code --first-id}; so ids
 * that already exist stop the seed up front instead of failing it halfway with a duplicate key.
 * Calls are written in chunks of {@value #CALLS_PER_COPY}, each its own COPY and transaction, so
 * memory stays bounded whatever the count; if the database fails midway (or another writer takes
 * ids in the range after the check), the chunks already written stay.
 */
public final class CallSeeder {

  /** Calls written, UTF-8 bytes of their transcript JSON, and time taken including generation. */
  public record Result(long calls, long bytes, long elapsedMillis) {}

  /** Calls per COPY statement: one transaction's worth, small enough to lose little on failure. */
  static final int CALLS_PER_COPY = 5_000;

  /** Calls formatted before handing them to the driver: about 15 MB of rows at a time. */
  static final int CALLS_PER_WRITE = 1_000;

  static final String COPY_SQL =
      "COPY calls (id, tenant, started_at, duration_s, source, transcript) FROM STDIN";

  private static final ObjectWriter TRANSCRIPT_JSON =
      new ObjectMapper().writerFor(Transcript.class);

  private CallSeeder() {}

  /**
   * Writes {@code count} calls with ids {@code firstId .. firstId + count - 1}.
   *
   * @throws IllegalArgumentException when {@code count} or {@code firstId} is not positive, the
   *     ids would overflow, or the table already holds one of those ids (nothing is written then)
   * @throws IllegalStateException when the database fails
   */
  public static Result seed(
      String jdbcUrl, String user, String password, long firstId, int count, long seed) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    if (firstId < 1) {
      throw new IllegalArgumentException("firstId must be at least 1, got " + firstId);
    }
    if (firstId > Long.MAX_VALUE - (count - 1)) {
      throw new IllegalArgumentException(
          "ids from " + firstId + " for " + count + " calls overflow");
    }
    long lastId = firstId + (count - 1);
    long startNanos = System.nanoTime();
    SyntheticCalls calls = new SyntheticCalls(seed);
    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
      refuseExistingIds(connection, firstId, lastId);
      CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
      StringBuilder rows = new StringBuilder();
      long bytes = 0;
      for (int done = 0; done < count; done += CALLS_PER_COPY) {
        int chunk = Math.min(CALLS_PER_COPY, count - done);
        bytes += copyChunk(copy, calls, firstId + done, chunk, rows);
      }
      return new Result(count, bytes, (System.nanoTime() - startNanos) / 1_000_000);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "seeding calls " + firstId + ".." + lastId + " failed: " + e.getMessage(), e);
    }
  }

  /** The id after the highest one in the table, or 1 when it is empty. */
  public static long nextFreeId(String jdbcUrl, String user, String password) {
    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password)) {
      return nextFreeId(connection);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the highest call id: " + e.getMessage(), e);
    }
  }

  /**
   * One COPY for calls {@code fromId .. fromId + count - 1}, handed to the driver every {@value
   * #CALLS_PER_WRITE} calls. Returns the transcript bytes written.
   */
  private static long copyChunk(
      CopyManager copy, SyntheticCalls calls, long fromId, int count, StringBuilder rows)
      throws SQLException {
    CopyIn in = copy.copyIn(COPY_SQL);
    try {
      long bytes = 0;
      rows.setLength(0);
      for (int i = 0; i < count; i++) {
        Call call = calls.call(fromId + i);
        String json = transcriptJson(call.transcript());
        bytes += utf8Length(json);
        appendRow(rows, call, json);
        if ((i + 1) % CALLS_PER_WRITE == 0 || i == count - 1) {
          byte[] data = rows.toString().getBytes(StandardCharsets.UTF_8);
          in.writeToCopy(data, 0, data.length);
          rows.setLength(0);
        }
      }
      in.endCopy();
      return bytes;
    } finally {
      // Only after a failure: leaves the connection usable and the chunk's rows unwritten.
      if (in.isActive()) {
        in.cancelCopy();
      }
    }
  }

  /**
   * One row of COPY's text format: the six columns separated by tabs, ended by a newline, with
   * the text columns escaped so that nothing inside them can end a column or a row early.
   */
  static void appendRow(StringBuilder out, Call call, String transcriptJson) {
    out.append(call.id()).append('\t');
    appendEscaped(out, call.tenant());
    out.append('\t');
    // ISO-8601 with a Z, which timestamptz parses as UTC whatever the session's time zone.
    out.append(call.startedAt().toString()).append('\t');
    out.append(call.durationSeconds()).append('\t');
    appendEscaped(out, call.channel().dbValue());
    out.append('\t');
    appendEscaped(out, transcriptJson);
    out.append('\n');
  }

  /**
   * Escapes a value for COPY's text format. A backslash is COPY's escape character, so it must be
   * doubled; JSON is full of them (every {@code \"} and {@code \n} inside a string), and without
   * this COPY would turn {@code \n} back into a real newline and store different JSON.
   */
  static void appendEscaped(StringBuilder out, String value) {
    // Copies the runs between special characters in one append each: a seed escapes gigabytes of
    // JSON, and almost none of it needs escaping.
    int runStart = 0;
    for (int i = 0; i < value.length(); i++) {
      String escape =
          switch (value.charAt(i)) {
            case '\\' -> "\\\\";
            case '\t' -> "\\t";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            default -> null;
          };
      if (escape != null) {
        out.append(value, runStart, i).append(escape);
        runStart = i + 1;
      }
    }
    out.append(value, runStart, value.length());
  }

  /** How many bytes a string takes in UTF-8, counted without encoding it. */
  static long utf8Length(String value) {
    long bytes = value.length();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x80) {
        // Two bytes below U+0800, three above; a surrogate pair is four bytes for two chars.
        bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return bytes;
  }

  private static String transcriptJson(Transcript transcript) {
    try {
      return TRANSCRIPT_JSON.writeValueAsString(transcript);
    } catch (JsonProcessingException e) {
      // Records of strings and numbers always serialize; this would be a bug, not bad data.
      throw new IllegalStateException("cannot serialize a transcript", e);
    }
  }

  private static void refuseExistingIds(Connection connection, long firstId, long lastId)
      throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement("SELECT min(id) FROM calls WHERE id BETWEEN ? AND ?")) {
      query.setLong(1, firstId);
      query.setLong(2, lastId);
      try (ResultSet result = query.executeQuery()) {
        result.next();
        long existing = result.getLong(1);
        if (!result.wasNull()) {
          throw new IllegalArgumentException(
              "the calls table already holds call "
                  + existing
                  + ", inside the ids "
                  + firstId
                  + ".."
                  + lastId
                  + " this seed would write; seeding never overwrites or skips calls. Choose"
                  + " another --first-id, e.g. --first-id "
                  + nextFreeId(connection)
                  + " (after the highest id present), or leave --first-id out.");
        }
      }
    }
  }

  private static long nextFreeId(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SELECT coalesce(max(id), 0) + 1 FROM calls")) {
      result.next();
      return result.getLong(1);
    }
  }
}
