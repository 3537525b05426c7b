package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The outcome ledger in Cassandra's {@code ledger} table, partitioned by job and call-id bucket. */
public final class CassandraOutcomeLedger implements OutcomeLedger {

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement failed;

  public CassandraOutcomeLedger(CqlSession session) {
    this.session = session;
    this.insert =
        session.prepare(
            "INSERT INTO ledger (job_id, bucket, call_id, status, reason, attempts, recorded_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)");
    // Filtering inside one partition (at most a bucket of calls): no secondary index needed.
    this.failed =
        session.prepare(
            "SELECT call_id FROM ledger WHERE job_id = ? AND bucket = ? AND status = 'FAILED' ALLOW FILTERING");
  }

  @Override
  public CompletionStage<List<Long>> failedCalls(String jobId, long bucket) {
    return session
        .executeAsync(failed.bind(jobId, bucket))
        .thenCompose(first -> collect(first, new ArrayList<>()));
  }

  private static CompletionStage<List<Long>> collect(AsyncResultSet page, List<Long> ids) {
    for (Row row : page.currentPage()) {
      ids.add(row.getLong(0));
    }
    if (!page.hasMorePages()) {
      return CompletableFuture.completedFuture(ids);
    }
    return page.fetchNextPage().thenCompose(next -> collect(next, ids));
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
