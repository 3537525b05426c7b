package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import java.time.Instant;
import java.util.UUID;

/**
 * The append-only row each result write adds to {@code result_writes} when backfill.results.audit
 * is on. Each row gets its own time-based {@code written_id}, so writing one call's result again
 * adds a row where the results table overwrites its one: {@link ResultWriteCensus} counts them.
 */
public final class ResultWriteAudit {

  private final PreparedStatement insert;

  public ResultWriteAudit(CqlSession session) {
    this.insert =
        session.prepare(
            "INSERT INTO result_writes (call_id, processor, version, written_id, analysis_id,"
                + " analysed_at, job_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  /**
   * The row for one write. Its written_id is made here, once, so that a driver retry of the same
   * statement rewrites the same row rather than counting as a second write.
   */
  public BoundStatement entry(long callId, String processor, int version, String jobId, UUID analysisId) {
    return insert.bind(
        callId,
        processor,
        version,
        Uuids.timeBased(),
        analysisId,
        Instant.ofEpochMilli(Uuids.unixTimestamp(analysisId)),
        jobId);
  }
}
