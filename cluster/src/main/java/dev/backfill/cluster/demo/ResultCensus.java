package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts, in Cassandra itself, the result rows each processor has: the demo's proof that every
 * call got its result, independent of the engine's own counters. One scan of the results table.
 */
final class ResultCensus {

  /** Rows of one processor (version 1), and when the first of them was written. */
  record Census(long rows, Instant firstWritten) {}

  private ResultCensus() {}

  static Map<String, Census> byProcessor(CqlSession session) {
    SimpleStatement scan =
        SimpleStatement.newInstance("SELECT processor, version, computed_at FROM results")
            .setPageSize(5000)
            .setTimeout(Duration.ofSeconds(60));
    Map<String, Census> census = new HashMap<>();
    for (Row row : session.execute(scan)) {
      if (row.getInt("version") != 1) {
        continue;
      }
      Instant at = row.getInstant("computed_at");
      census.merge(
          row.getString("processor"),
          new Census(1, at),
          (a, b) ->
              new Census(
                  a.rows() + b.rows(),
                  a.firstWritten() == null || (b.firstWritten() != null && b.firstWritten().isBefore(a.firstWritten()))
                      ? b.firstWritten()
                      : a.firstWritten()));
    }
    return census;
  }
}
