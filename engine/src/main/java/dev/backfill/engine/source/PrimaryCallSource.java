package dev.backfill.engine.source;

import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a job's calls out of the primary database in keyset pages: one query per page of up to
 * {@code page-size} calls (never one per call).
 *
 * <p>Every query runs under a lease from the governor, on this node's connection for the leased
 * slot ({@link PrimaryConnections}, named {@code backfill-engine} in pg_stat_activity), and reads
 * at most the rows the lease allows. A per-node pool of its own would keep idle connections open
 * on the primary and make the connection count grow with the number of nodes.
 *
 * <p>Keyset pagination ({@code id > last ORDER BY id LIMIT n}) costs the same for the last page as
 * for the first, unlike OFFSET, and gives a natural resume point: the last id handed out.
 */
public final class PrimaryCallSource {

  private final PrimarySettings settings;
  private final Executor jdbcExecutor;
  private final PrimaryConnections connections;
  private final AtomicLong queries = new AtomicLong();

  public PrimaryCallSource(PrimarySettings settings, Executor jdbcExecutor, PrimaryConnections connections) {
    this.settings = settings;
    this.jdbcExecutor = jdbcExecutor;
    this.connections = connections;
  }

  /** Up to {@code rows} of the job's calls with ids above {@code afterId}, in id order, on the slot's connection. */
  public CompletionStage<Page> page(JobSpec spec, long afterId, int slot, int rows) {
    return CompletableFuture.supplyAsync(() -> readPage(spec, afterId, slot, rows), jdbcExecutor);
  }

  /** These calls (at most a page of them), in id order: one query, for re-driving failed calls. */
  public CompletionStage<Page> byIds(List<Long> ids, int slot) {
    return CompletableFuture.supplyAsync(() -> readByIds(ids, slot), jdbcExecutor);
  }

  /** How many calls the job covers, for progress and ETA: one query per job. */
  public CompletionStage<Long> count(JobSpec spec, int slot) {
    return CompletableFuture.supplyAsync(() -> countCalls(spec, slot), jdbcExecutor);
  }

  /**
   * The columns of a call, and, last, how long the statement had been running on the primary when
   * this row was produced (its own clock at both ends, so no clock skew): the last row's value is
   * the page's cost as the primary spent it, whatever this node's own CPU did meanwhile.
   */
  private static final String CALL_COLUMNS =
      "id, tenant, started_at, duration_s, source, transcript::text,"
          + " (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000000)::bigint";

  /**
   * The page query for a job, with only the filters it sets, so the planner sees plain conditions
   * and can pick, per tenant, between walking the primary key (a big tenant: a few rows of others
   * filtered out per page) and the (tenant, id) index (a small one). PageQueryPlanTest checks both.
   */
  public static String pageSql(JobSpec spec) {
    return "SELECT " + CALL_COLUMNS + " FROM calls WHERE id > ?" + CallFilter.of(spec).sql() + " ORDER BY id LIMIT ?";
  }

  /** Queries this source has sent to the primary since it was created. */
  public long queriesSent() {
    return queries.get();
  }

  private Page readPage(JobSpec spec, long afterId, int slot, int rows) {
    CallFilter filter = CallFilter.of(spec);
    return onSlot(
        slot,
        pageSql(spec),
        "page read after call " + afterId,
        (connection, statement) -> {
          int index = 1;
          statement.setLong(index++, afterId);
          index = filter.bind(statement, index);
          statement.setInt(index, Math.min(rows, settings.pageSize()));
          return calls(statement);
        });
  }

  private Page readByIds(List<Long> ids, int slot) {
    return onSlot(
        slot,
        "SELECT " + CALL_COLUMNS + " FROM calls WHERE id = ANY(?) ORDER BY id",
        "reading " + ids.size() + " calls by id",
        (connection, statement) -> {
          statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
          return calls(statement);
        });
  }

  private long countCalls(JobSpec spec, int slot) {
    CallFilter filter = CallFilter.of(spec);
    return onSlot(
        slot,
        "SELECT count(*) FROM calls WHERE true" + filter.sql(),
        "counting the job's calls",
        (connection, statement) -> {
          filter.bind(statement, 1);
          try (ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
          }
        });
  }

  @FunctionalInterface
  private interface StatementWork<T> {
    T run(Connection connection, PreparedStatement statement) throws SQLException;
  }

  /** One query on this node's connection for the leased slot, with the client-side timeout too. */
  private <T> T onSlot(int slot, String sql, String what, StatementWork<T> work) {
    try {
      return connections.withConnection(
          slot,
          connection -> {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
              statement.setQueryTimeout((int) Math.max(1, settings.queryTimeout().toSeconds()));
              queries.incrementAndGet();
              return work.run(connection, statement);
            }
          });
    } catch (SQLException e) {
      throw new PrimaryUnavailableException(what + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs a query selecting {@link #CALL_COLUMNS}; the page's cost is the primary's own account of it. */
  private static Page calls(PreparedStatement statement) throws SQLException {
    List<CallRow> rows = new ArrayList<>();
    long start = System.nanoTime();
    long serverMicros = -1;
    try (ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        rows.add(
            new CallRow(
                result.getLong(1),
                result.getString(2),
                result.getTimestamp(3).getTime(),
                result.getInt(4),
                result.getString(5),
                result.getString(6)));
        serverMicros = result.getLong(7);
      }
    }
    // No row: the primary did no work worth a page; this node's own timing is all there is.
    return new Page(rows, serverMicros >= 0 ? serverMicros : (System.nanoTime() - start) / 1_000);
  }

  /** The job's filters as SQL conditions, only those that are set, so the planner sees plain ones. */
  private record CallFilter(String tenant, Timestamp from, Timestamp to) {

    static CallFilter of(JobSpec spec) {
      return new CallFilter(
          spec.tenant(),
          spec.from() == null ? null : Timestamp.from(spec.from()),
          spec.to() == null ? null : Timestamp.from(spec.to()));
    }

    String sql() {
      return (tenant == null ? "" : " AND tenant = ?")
          + (from == null ? "" : " AND started_at >= ?")
          + (to == null ? "" : " AND started_at < ?");
    }

    int bind(PreparedStatement statement, int index) throws SQLException {
      if (tenant != null) {
        statement.setString(index++, tenant);
      }
      if (from != null) {
        statement.setTimestamp(index++, from);
      }
      if (to != null) {
        statement.setTimestamp(index++, to);
      }
      return index;
    }
  }
}
