package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.backfill.engine.processor.Computation;
import java.time.Instant;
import java.util.UUID;

/**
 * The append-only row each result write adds to {@code call_result_writes} when
 * backfill.results.audit is on. Each row gets its own time-based {@code written_id}, so writing
 * one call's result again adds a row where the results table overwrites its one:
 * {@link ResultWriteCensus} counts them, per computation (the parameters hash is in the key).
 */
public final class ResultWriteAudit {

  private final PreparedStatement insert;

  public ResultWriteAudit(CqlSession session) {
    this.insert =
        CassandraResultStore.prepare(
            session,
            "INSERT INTO call_result_writes (call_id, processor, version, parameters_hash, written_id,"
                + " analysis_id, analysed_at, job_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  }

  /**
   * The row for one write. Its written_id is made here, once, so that a driver retry of the same
   * statement rewrites the same row rather than counting as a second write.
   */
  public BoundStatement entry(long callId, Computation computation, String jobId, UUID analysisId) {
    return insert.bind(
        callId,
        computation.processor(),
        computation.version(),
        computation.parametersHash(),
        Uuids.timeBased(),
        analysisId,
        Instant.ofEpochMilli(Uuids.unixTimestamp(analysisId)),
        jobId);
  }
}
