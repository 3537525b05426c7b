package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import com.datastax.oss.driver.api.core.servererrors.ReadFailureException;
import dev.backfill.engine.processor.Computation;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Results in Cassandra's {@code call_results} table, keyed by call with processor, version and
 * parameters hash, the canonical parameters stored beside the result; with the audit on, each
 * write also appends its row to {@code call_result_writes} in the same batch.
 *
 * <p>Existence reads of one computation that come together are one query ({@link
 * GroupedRequests}): a node's call entities start their calls a page at a time, so a page's
 * calls, asked at once, are looked up with one {@code IN} over their partitions instead of one
 * round trip each. Each read still happens when its call entity asks, after everything that entity
 * did before, so what it answers is as true as a read of its own. A lone read is the single
 * partition's query, routed to a replica of it.
 */
public final class CassandraResultStore implements ResultStore {

  private final CqlSession session;
  /** Calls per grouped existence read at most: a page's calls in flight on one node. */
  static final int MAX_CALLS_PER_LOOKUP = 64;

  /** Grouped existence reads of one computation in flight at once (see {@link GroupedRequests}). */
  static final int MAX_LOOKUPS_IN_FLIGHT = 4;

  private final PreparedStatement select;
  private final PreparedStatement selectAmong;
  private final GroupedRequests<Computation, Long, StoredResult> lookups =
      new GroupedRequests<>(this::existing, MAX_CALLS_PER_LOOKUP, MAX_LOOKUPS_IN_FLIGHT);
  private final AtomicLong lookupsSent = new AtomicLong();
  private final PreparedStatement insert;
  private final Optional<ResultWriteAudit> audit;

  /** {@code audit}: backfill.results.audit. */
  public CassandraResultStore(CqlSession session, boolean audit) {
    this.session = session;
    this.select =
        prepare(
            session,
            "SELECT job_id FROM call_results"
                + " WHERE call_id = ? AND processor = ? AND version = ? AND parameters_hash = ?");
    this.selectAmong =
        prepare(
            session,
            "SELECT call_id, job_id FROM call_results"
                + " WHERE call_id IN ? AND processor = ? AND version = ? AND parameters_hash = ?");
    this.insert =
        prepare(
            session,
            "INSERT INTO call_results (call_id, processor, version, parameters_hash, parameters, result,"
                + " job_id, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    this.audit = audit ? Optional.of(new ResultWriteAudit(session)) : Optional.empty();
  }

  @Override
  public CompletionStage<StoredResult> stored(long callId, Computation computation) {
    // A lookup of several that Cassandra refuses or fails to read may be one partition's doing:
    // each call then reads alone, so that such a failure is that call's alone, as it would be
    // without grouping. A timeout or too few replicas (the store's trouble, the same for every
    // call) fails them all, to be asked again, without a read per call thrown at a struggling store.
    return lookups
        .send(computation, callId)
        .exceptionallyCompose(
            failure ->
                isPerhapsOneCallsOwn(failure)
                    ? storedAlone(callId, computation)
                    : CompletableFuture.failedFuture(failure));
  }

  /** Computations with existence reads waiting or in flight: for tests. */
  int lookupsHeld() {
    return lookups.groupsHeld();
  }

  /** Existence queries sent to Cassandra so far: for tests. */
  long lookupsSent() {
    return lookupsSent.get();
  }

  /** Whether each of {@code callIds} has a result of {@code computation}, and whose, in their order. */
  private CompletionStage<List<StoredResult>> existing(Computation computation, List<Long> callIds) {
    lookupsSent.incrementAndGet();
    if (callIds.size() == 1) {
      return storedAlone(callIds.get(0), computation).thenApply(List::of);
    }
    Map<Long, StoredResult> found = new HashMap<>();
    return session
        .executeAsync(
            selectAmong
                .bind(callIds, computation.processor(), computation.version(), computation.parametersHash())
                .setPageSize(callIds.size() + 1))
        .thenCompose(
            first -> CallIdPages.forEachRow(first, row -> found.put(row.getLong(0), StoredResult.by(row.getString(1)))))
        .thenApply(done -> callIds.stream().map(id -> found.getOrDefault(id, StoredResult.NONE)).toList());
  }

  /** A refusal of the query, or a replica that failed to read. */
  private static boolean isPerhapsOneCallsOwn(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause instanceof QueryValidationException || cause instanceof ReadFailureException;
  }

  private CompletionStage<StoredResult> storedAlone(long callId, Computation computation) {
    return session
        .executeAsync(select.bind(callId, computation.processor(), computation.version(), computation.parametersHash()))
        .thenApply(
            rows -> {
              var row = rows.one();
              return row == null ? StoredResult.NONE : StoredResult.by(row.getString(0));
            });
  }

  @Override
  public CompletionStage<Void> write(
      long callId, Computation computation, String resultJson, String jobId, UUID analysisId) {
    BoundStatement result =
        insert.bind(
            callId,
            computation.processor(),
            computation.version(),
            computation.parametersHash(),
            computation.parameters(),
            resultJson,
            jobId,
            Instant.now());
    if (audit.isEmpty()) {
      return session.executeAsync(result).thenApply(rows -> null);
    }
    // One batch, so the result and its audit row land together or not at all: a failed write
    // fails the call (it is retried) and leaves no result unaudited. Both rows have the call as
    // partition key, so Cassandra applies them as one mutation, without a batchlog.
    BatchStatement both =
        BatchStatement.newInstance(
            DefaultBatchType.LOGGED, result, audit.get().entry(callId, computation, jobId, analysisId));
    return session.executeAsync(both).thenApply(rows -> null);
  }

  /**
   * Prepares a statement on a result table, naming the fix when the keyspace does not have that
   * table yet: a keyspace made before results were keyed by their parameters has {@code results}
   * and {@code result_writes} instead, and the schema command adds the new tables beside them.
   */
  static PreparedStatement prepare(CqlSession session, String cql) {
    try {
      return session.prepare(cql);
    } catch (InvalidQueryException e) {
      throw new IllegalStateException(
          "Cassandra refuses \""
              + cql
              + "\": "
              + e.getMessage()
              + ". Run `./backfill schema --config FILE` with this node's configuration to create"
              + " the result tables (call_results, call_result_writes).",
          e);
    }
  }
}
