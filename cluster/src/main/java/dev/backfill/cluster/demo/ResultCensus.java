package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;

/**
 * Counts, in Cassandra itself, the result rows a job left: the demo's proof that every call got
 * its result, independent of the engine's own counters.
 */
final class ResultCensus {

  record Census(long rows, Instant firstWrittenByJob) {}

  private ResultCensus() {}

  static Census count(CqlSession session, String processor, int version, String jobId) {
    SimpleStatement scan =
        SimpleStatement.newInstance("SELECT processor, version, job_id, computed_at FROM results")
            .setPageSize(5000)
            .setTimeout(Duration.ofSeconds(60));
    long rows = 0;
    Instant first = null;
    for (Row row : session.execute(scan)) {
      if (processor.equals(row.getString("processor")) && row.getInt("version") == version) {
        rows++;
        Instant at = row.getInstant("computed_at");
        if (jobId.equals(row.getString("job_id")) && at != null && (first == null || at.isBefore(first))) {
          first = at;
        }
      }
    }
    return new Census(rows, first);
  }
}
