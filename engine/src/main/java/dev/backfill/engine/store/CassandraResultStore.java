package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/** Results in Cassandra's {@code results} table, keyed by call with processor and version. */
public final class CassandraResultStore implements ResultStore {

  private final CqlSession session;
  private final PreparedStatement select;
  private final PreparedStatement insert;

  public CassandraResultStore(CqlSession session) {
    this.session = session;
    this.select =
        session.prepare(
            "SELECT version FROM results WHERE call_id = ? AND processor = ? AND version = ?");
    this.insert =
        session.prepare(
            "INSERT INTO results (call_id, processor, version, result, job_id, computed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)");
  }

  @Override
  public CompletionStage<Boolean> exists(long callId, String processor, int version) {
    return session
        .executeAsync(select.bind(callId, processor, version))
        .thenApply(rows -> rows.one() != null);
  }

  @Override
  public CompletionStage<Void> write(
      long callId, String processor, int version, String resultJson, String jobId) {
    return session
        .executeAsync(insert.bind(callId, processor, version, resultJson, jobId, Instant.now()))
        .thenApply(rows -> null);
  }
}
