package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.ResultWriteCensus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Counts, in Cassandra itself, what the demo and the chaos check report: the result rows each
 * processor has, the calls with a result, the job's ledger, and the audited result writes. Their
 * proof that every call got its result, independent of the engine's own counters. Every query
 * the two run against the results, the ledger and the audit is here, so that a change of those
 * tables' keys is made in one place.
 */
final class ResultCensus {

  /** Rows of one processor (version 1), and when the first of them was written. */
  record Census(long rows, Instant firstWritten) {}

  /** Rows found, and the distinct calls among them (fewer if a call had several rows). */
  record Calls(long rows, Set<Long> calls) {
    long distinct() {
      return calls.size();
    }
  }

  private ResultCensus() {}

  /**
   * Every processor's version-1 result rows: one scan of the results table. Rows of all parameters
   * count together: the demo runs one job per processor in a keyspace of its own, so a
   * processor's rows are its job's.
   */
  static Map<String, Census> byProcessor(CqlSession session) {
    Map<String, Census> census = new HashMap<>();
    for (Row row : session.execute(scan("SELECT processor, version, computed_at FROM call_results"))) {
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

  /**
   * The calls with a result of this processor version run without parameters (as chaos runs
   * talk-ratio): one scan of the results table.
   */
  static Calls resultsOf(CqlSession session, String processor, int version) {
    Computation computation = Computation.withoutParameters(processor, version);
    long rows = 0;
    Set<Long> calls = new HashSet<>();
    for (Row row :
        session.execute(scan("SELECT call_id, processor, version, parameters_hash FROM call_results"))) {
      if (processor.equals(row.getString("processor"))
          && row.getInt("version") == version
          && computation.parametersHash().equals(row.getString("parameters_hash"))) {
        rows++;
        calls.add(row.getLong("call_id"));
      }
    }
    return new Calls(rows, calls);
  }

  /** The calls in a job's ledger, whose ids go up to {@code maxCallId}: one query per bucket. */
  static Calls ledgerOf(CqlSession session, String jobId, long maxCallId) {
    long rows = 0;
    Set<Long> calls = new HashSet<>();
    for (long bucket = 0; bucket <= OutcomeLedger.bucketOf(maxCallId); bucket++) {
      for (Row row : session.execute("SELECT call_id FROM ledger WHERE job_id = ? AND bucket = ?", jobId, bucket)) {
        rows++;
        calls.add(row.getLong(0));
      }
    }
    return new Calls(rows, calls);
  }

  /**
   * What the result audit ({@code call_result_writes}) holds for this processor version run
   * without parameters.
   */
  static ResultWriteCensus.Counts writesOf(CqlSession session, String processor, int version) {
    return ResultWriteCensus.count(session, Computation.withoutParameters(processor, version));
  }

  private static SimpleStatement scan(String cql) {
    return SimpleStatement.newInstance(cql).setPageSize(5000).setTimeout(Duration.ofSeconds(60));
  }
}
