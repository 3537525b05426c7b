package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Results in Cassandra's {@code results} table, keyed by call with processor and version; with
 * the audit on, each write also appends its row to {@code result_writes} in the same batch.
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
        session.prepare(
            "SELECT version FROM results WHERE call_id = ? AND processor = ? AND version = ?");
    this.insert =
        session.prepare(
            "INSERT INTO results (call_id, processor, version, result, job_id, computed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
    this.audit = audit ? Optional.of(new ResultWriteAudit(session)) : Optional.empty();
  }

  @Override
  public CompletionStage<Boolean> exists(long callId, String processor, int version) {
    return session
        .executeAsync(select.bind(callId, processor, version))
        .thenApply(rows -> rows.one() != null);
  }

  @Override
  public CompletionStage<Void> write(
      long callId, String processor, int version, String resultJson, String jobId, UUID analysisId) {
    BoundStatement result = insert.bind(callId, processor, version, resultJson, jobId, Instant.now());
    if (audit.isEmpty()) {
      return session.executeAsync(result).thenApply(rows -> null);
    }
    // One batch, so the result and its audit row land together or not at all: a failed write
    // fails the call (it is retried) and leaves no result unaudited. Both rows have the call as
    // partition key, so Cassandra applies them as one mutation, without a batchlog.
    BatchStatement both =
        BatchStatement.newInstance(
            DefaultBatchType.LOGGED,
            result,
            audit.get().entry(callId, processor, version, jobId, analysisId));
    return session.executeAsync(both).thenApply(rows -> null);
  }
}
