package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The outcome ledger in Cassandra's {@code ledger} table, partitioned by job and call-id bucket.
 *
 * <p>Rows of one partition are written together when they come together ({@link GroupedRequests}):
 * a job's calls in flight are neighbours, so they fall in one or two buckets, and one unlogged
 * batch of a single partition is one mutation for Cassandra instead of one per call. Each call's
 * row is still acknowledged only once stored.
 */
public final class CassandraOutcomeLedger implements OutcomeLedger {

  /** Rows per write at most: one write's worth of a job's calls in flight, a few KB. */
  static final int MAX_ROWS_PER_WRITE = 32;

  /** Writes of one partition in flight at once: a job's 256 calls in flight go out in two rounds. */
  static final int MAX_WRITES_IN_FLIGHT = 4;

  private record Partition(String jobId, long bucket) {}

  private final CqlSession session;
  private final PreparedStatement insert;
  private final PreparedStatement failed;
  private final GroupedRequests<Partition, BoundStatement, Void> writes =
      GroupedRequests.writes((partition, rows) -> writeTogether(rows), MAX_ROWS_PER_WRITE, MAX_WRITES_IN_FLIGHT);

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
        .thenCompose(first -> CallIdPages.collect(first, new ArrayList<>()));
  }

  @Override
  public CompletionStage<Void> record(
      String jobId, long callId, Status status, String reason, int attempts) {
    long bucket = OutcomeLedger.bucketOf(callId);
    BoundStatement row = insert.bind(jobId, bucket, callId, status.name(), reason, attempts, Instant.now());
    return writes.send(new Partition(jobId, bucket), row);
  }

  private CompletionStage<Void> writeTogether(List<BoundStatement> rows) {
    var statement =
        rows.size() == 1 ? rows.get(0) : BatchStatement.newInstance(DefaultBatchType.UNLOGGED, rows.toArray(BoundStatement[]::new));
    return session.executeAsync(statement).thenApply(result -> null);
  }
}
