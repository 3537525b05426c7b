package dev.backfill.engine.source;

import dev.backfill.engine.governor.PageSizer;
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
import java.util.OptionalLong;
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
 * for the first, unlike OFFSET, and gives a natural resume point: the last id handed out. A job's
 * pages end at the {@link Scope} fixed when it started ({@code AND id <= lastCallId}): calls
 * recorded while it runs are not its calls, or a job over a live table would never end.
 *
 * <p>A query the primary refuses for a reason of the query's own ({@link #refusal}) would be
 * refused again however often it was sent: the job fails with it instead of retrying it.
 */
public final class PrimaryCallSource {

  private final PrimarySettings settings;
  private final Executor jdbcExecutor;
  private final PrimaryConnections connections;
  private final AtomicLong queries = new AtomicLong();
  private final AtomicLong bursts = new AtomicLong();
  /**
   * Rows per fetch from a page's cursor, following the primary's cost per row on this node. Guarded
   * by itself: the slots' queries run on several threads.
   */
  private final PageSizer burstSizer;

  /**
   * What a job covers: the {@code calls} matching its filters with ids up to {@code lastCallId},
   * the highest matching id when it was read (0 when none matched). Both come from one statement,
   * so from one snapshot of the table: the count is exactly the calls within the scope then.
   */
  public record Scope(long calls, long lastCallId) {}

  public PrimaryCallSource(PrimarySettings settings, Executor jdbcExecutor, PrimaryConnections connections) {
    this.settings = settings;
    this.jdbcExecutor = jdbcExecutor;
    this.connections = connections;
    this.burstSizer = new PageSizer(settings.targetBurstMillis(), 1, settings.pageSize());
  }

  /**
   * Up to {@code rows} of the job's calls with ids above {@code afterId} and at most {@code
   * lastCallId}, in id order, on the slot's connection.
   */
  public CompletionStage<Page> page(JobSpec spec, long afterId, long lastCallId, int slot, int rows) {
    return CompletableFuture.supplyAsync(() -> readPage(spec, afterId, lastCallId, slot, rows), jdbcExecutor);
  }

  /**
   * The first of the job's calls with an id above {@code afterId} and at most {@code lastCallId},
   * if any: where the job's next block of ids with calls in it begins, so that a job whose ids are
   * sparse (a small tenant, ids that start high) does not walk empty blocks. One index lookup
   * that reads no transcript.
   */
  public CompletionStage<NextCall> nextCall(JobSpec spec, long afterId, long lastCallId, int slot) {
    return CompletableFuture.supplyAsync(() -> readNextCall(spec, afterId, lastCallId, slot), jdbcExecutor);
  }

  /** The id of the next call, or empty; and how long the primary spent finding it. */
  public record NextCall(OptionalLong id, long queryMicros) {}

  /** These calls (at most a page of them), in id order: one query, for re-driving failed calls. */
  public CompletionStage<Page> byIds(List<Long> ids, int slot) {
    return CompletableFuture.supplyAsync(() -> readByIds(ids, slot), jdbcExecutor);
  }

  /** The job's scope as of now, for where it ends and for progress and ETA: one query per job. */
  public CompletionStage<Scope> scope(JobSpec spec, int slot) {
    return CompletableFuture.supplyAsync(() -> readScope(spec, slot), jdbcExecutor);
  }

  /** The columns of a call; the transcript as text, which is most of a row's cost on the primary. */
  private static final String CALL_COLUMNS = "id, tenant, started_at, duration_s, source, transcript::text AS transcript";

  /**
   * {@code callsQuery}'s rows and, last, how long the primary's current burst had been running
   * when it produced each (its own clock at both ends, so no clock skew) and when that burst
   * started. The clock is read in an
   * outer query so that it comes after the row's transcript was detoasted and turned into text:
   * read beside it in one target list, it came first and said a 200 KB transcript cost nothing.
   * The inner query keeps its order and its LIMIT, so the planner keeps its index scan.
   */
  private static String timed(String callsQuery) {
    return "SELECT id, tenant, started_at, duration_s, source, transcript,"
        + " (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000000)::bigint,"
        + " (extract(epoch FROM statement_timestamp()) * 1000000)::bigint"
        + " FROM ("
        + callsQuery
        + ") AS page ORDER BY id";
  }

  /**
   * The page query for a job, with only the filters it sets, so the planner sees plain conditions
   * and can pick, per tenant, between walking the primary key (a big tenant: a few rows of others
   * filtered out per page) and the (tenant, id) index (a small one). PageQueryPlanTest checks both.
   */
  public static String pageSql(JobSpec spec) {
    return timed(
        "SELECT "
            + CALL_COLUMNS
            + " FROM calls WHERE id > ? AND id <= ?"
            + CallFilter.of(spec).sql()
            + " ORDER BY id LIMIT ?");
  }

  /** Queries this source has sent to the primary since it was created. */
  public long queriesSent() {
    return queries.get();
  }

  private Page readPage(JobSpec spec, long afterId, long lastCallId, int slot, int rows) {
    CallFilter filter = CallFilter.of(spec);
    return onSlot(
        slot,
        pageSql(spec),
        "page read after call " + afterId,
        (connection, statement) -> {
          int index = 1;
          statement.setLong(index++, afterId);
          statement.setLong(index++, lastCallId);
          index = filter.bind(statement, index);
          statement.setInt(index, Math.min(rows, settings.pageSize()));
          return calls(connection, statement);
        });
  }

  private NextCall readNextCall(JobSpec spec, long afterId, long lastCallId, int slot) {
    CallFilter filter = CallFilter.of(spec);
    return onSlot(
        slot,
        "SELECT id, (extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000000)::bigint"
            + " FROM calls WHERE id > ? AND id <= ?"
            + filter.sql()
            + " ORDER BY id LIMIT 1",
        "finding the next call after " + afterId,
        (connection, statement) -> {
          statement.setLong(1, afterId);
          statement.setLong(2, lastCallId);
          filter.bind(statement, 3);
          long start = System.nanoTime();
          try (ResultSet result = statement.executeQuery()) {
            return result.next()
                ? new NextCall(OptionalLong.of(result.getLong(1)), result.getLong(2))
                : new NextCall(OptionalLong.empty(), (System.nanoTime() - start) / 1_000);
          }
        });
  }

  private Page readByIds(List<Long> ids, int slot) {
    return onSlot(
        slot,
        timed("SELECT " + CALL_COLUMNS + " FROM calls WHERE id = ANY(?) ORDER BY id"),
        "reading " + ids.size() + " calls by id",
        (connection, statement) -> {
          statement.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
          return calls(connection, statement);
        });
  }

  private Scope readScope(JobSpec spec, int slot) {
    CallFilter filter = CallFilter.of(spec);
    return onSlot(
        slot,
        "SELECT count(*), coalesce(max(id), 0) FROM calls WHERE true" + filter.sql(),
        "counting the job's calls",
        (connection, statement) -> {
          filter.bind(statement, 1);
          try (ResultSet result = statement.executeQuery()) {
            result.next();
            return new Scope(result.getLong(1), result.getLong(2));
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

  /**
   * Why the primary refused a query for good, or null if {@code failure} may pass (an outage, a
   * timeout, a conflict, anything not known to be permanent). Permanent are the SQLState classes
   * 22 (data exception: a NUL in a string, a date out of range, a value of the wrong type) and 42
   * (syntax error or access rule violation: a missing table or column, no privilege): the same
   * query is refused the same way every time. Class 08 (connection), 53 (resources), 57
   * (operator intervention: a cancelled statement, a server shutting down) and 40 (serialization
   * failure, deadlock) pass with time. The first SQLException in the causes that has a state
   * decides.
   */
  public static String refusal(Throwable failure) {
    String what = null;
    Throwable cause = failure;
    for (int depth = 0; cause != null && depth < 32; depth++) {
      if (what == null && cause instanceof PrimaryUnavailableException unavailable) {
        what = unavailable.getMessage();
      }
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (!state.startsWith("22") && !state.startsWith("42")) {
          return null;
        }
        return "the primary refuses the query for good (SQLState "
            + state
            + "), so it is not retried: "
            + (what != null ? what : sql.getMessage());
      }
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return null;
  }

  /** Whether {@code failure} is one the primary gives again however often it is retried. */
  public static boolean isPermanent(Throwable failure) {
    return refusal(failure) != null;
  }

  /** Bursts the primary produced page rows in since this source was created (each fetch is one). */
  public long burstsFetched() {
    return bursts.get();
  }

  /** Rows per burst for the next page query, for tests and the node's view. */
  public int burstRows() {
    synchronized (burstSizer) {
      return burstSizer.rows(Integer.MAX_VALUE);
    }
  }

  /**
   * Runs a query selecting {@link #CALL_COLUMNS} from a server-side cursor, a burst of rows at a
   * time; the page's cost is the primary's own account of it.
   *
   * <p>Why bursts: the primary's scheduler does not take its core from a running backend for a
   * live query that wakes up until the backend's time slice is over. A page query of a few
   * milliseconds made every live query that arrived meanwhile wait that long (seen with {@code
   * perf sched} on the primary's core: the live path's backends waited 2-2.8 ms behind a page
   * backend's one run). Fetching the page a few rows at a time, the backend sleeps between bursts
   * until this node asks for more, and a live query waits behind one burst at most.
   *
   * <p>The cost is the primary's own clock: each row says when its burst started and how long it
   * had been running when the primary produced the row (every fetch of a cursor is a statement of
   * its own to the primary, with its own start), so the last row of each burst says what that
   * burst cost, and the page costs their sum. The time the backend idled between bursts, waiting
   * for this node, is in none of them. A plan that sorts computes every row in its first burst,
   * and that burst says so. Not counted: each fetch's round trip and the last row's sending.
   *
   * <p>Between bursts the backend is idle in a transaction, where {@code statement_timeout} no
   * longer runs: the connection's {@code idle_in_transaction_session_timeout} ends a page whose
   * node stopped asking ({@link PrimaryConnections}).
   */
  private Page calls(Connection connection, PreparedStatement statement) throws SQLException {
    int burst;
    synchronized (burstSizer) {
      burst = burstSizer.rows(Integer.MAX_VALUE);
    }
    // The driver fetches from a cursor only inside a transaction (otherwise it reads all rows).
    connection.setAutoCommit(false);
    statement.setFetchSize(burst);
    List<CallRow> rows = new ArrayList<>();
    long start = System.nanoTime();
    long finishedBurstsMicros = 0;
    long burstSoFarMicros = 0;
    long burstStartedMicros = Long.MIN_VALUE;
    try (ResultSet result = statement.executeQuery()) {
      while (result.next()) {
        long startedMicros = result.getLong(8);
        if (startedMicros != burstStartedMicros) {
          finishedBurstsMicros += burstSoFarMicros;
          burstStartedMicros = startedMicros;
          bursts.incrementAndGet();
        }
        burstSoFarMicros = result.getLong(7);
        rows.add(
            new CallRow(
                result.getLong(1),
                result.getString(2),
                result.getTimestamp(3).getTime(),
                result.getInt(4),
                result.getString(5),
                result.getString(6)));
      }
    }
    long elapsedMicros = (System.nanoTime() - start) / 1_000;
    // Ends the read-only transaction (a commit). Only here: after a failure the connection is
    // closed anyway, and a reset that failed on it would hide the failure's own cause.
    connection.setAutoCommit(true);
    if (rows.isEmpty()) {
      // No row: the primary did no work worth a page; this node's own timing is all there is.
      return new Page(rows, elapsedMicros);
    }
    long serverMicros = finishedBurstsMicros + burstSoFarMicros;
    synchronized (burstSizer) {
      burstSizer.observe(rows.size(), serverMicros / 1_000.0);
    }
    return new Page(rows, serverMicros);
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
