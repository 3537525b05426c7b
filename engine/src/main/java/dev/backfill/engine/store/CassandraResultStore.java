package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import dev.backfill.engine.processor.Computation;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Results in Cassandra's {@code call_results} table, keyed by call with processor, version and
 * parameters hash, the canonical parameters stored beside the result; with the audit on, each
 * write also appends its row to {@code call_result_writes} in the same batch.
 */
public final class CassandraResultStore implements ResultStore {

  private final CqlSession session;
  private final PreparedStatement select;
  private final PreparedStatement insert;
  private final Optional<ResultWriteAudit> audit;

  /** {@code audit}: backfill.results.audit. */
  public CassandraResultStore(CqlSession session, boolean audit) {
    this.session = session;
    this.select =
        prepare(
            session,
            "SELECT version FROM call_results"
                + " WHERE call_id = ? AND processor = ? AND version = ? AND parameters_hash = ?");
    this.insert =
        prepare(
            session,
            "INSERT INTO call_results (call_id, processor, version, parameters_hash, parameters, result,"
                + " job_id, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    this.audit = audit ? Optional.of(new ResultWriteAudit(session)) : Optional.empty();
  }

  @Override
  public CompletionStage<Boolean> exists(long callId, Computation computation) {
    return session
        .executeAsync(
            select.bind(callId, computation.processor(), computation.version(), computation.parametersHash()))
        .thenApply(rows -> rows.one() != null);
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
