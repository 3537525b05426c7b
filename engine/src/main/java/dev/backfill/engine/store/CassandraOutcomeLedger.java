package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** The outcome ledger in Cassandra's {@code ledger} table, partitioned by job and call-id bucket. */
public final class CassandraOutcomeLedger implements OutcomeLedger {

  private final CqlSession session;
  private final PreparedStatement insert;

  public CassandraOutcomeLedger(CqlSession session) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO ledger (job_id, bucket, call_id, status, reason, attempts, recorded_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)");
  }

  @Override
  public CompletionStage<Void> record(
      String jobId, long callId, Status status, String reason, int attempts) {
    return session
        .executeAsync(
            insert.bind(
                jobId,
                OutcomeLedger.bucketOf(callId),
                callId,
                status.name(),
                reason,
                attempts,
                Instant.now()))
        .thenApply(rows -> null);
  }
}
