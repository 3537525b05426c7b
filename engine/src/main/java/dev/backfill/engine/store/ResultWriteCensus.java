package dev.backfill.engine.store;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.backfill.engine.processor.Computation;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the result audit ({@code call_result_writes}) says about one computation (processor,
 * version and parameters): facts from the store, not the engine's counters, and ones that can come
 * out non-zero (the results table keeps one row per call and computation however often it is
 * written, so counting its rows never can). Writes of the same processor version with other
 * parameters are another computation and not counted. One scan of the table; meant for tests and
 * {@code chaos}, which run with backfill.results.audit on.
 */
public final class ResultWriteCensus {

  /**
   * @param calls calls with at least one audited write
   * @param writes audited writes
   * @param duplicates calls whose result was written more than once
   * @param redone calls analysed more than once. The engine writes every result right after the
   *     analysis that computed it and never writes one analysis twice, so each audit row carries
   *     a different analysis and today redone equals duplicates; they part if a write is repeated
   *     without analysing again (the same analysis_id twice: a duplicate, not redone). Analyses
   *     that wrote nothing (the call was malformed, or the write failed and the call was retried)
   *     leave no row and are not counted: they cost CPU, not a second result.
   */
  public record Counts(long calls, long writes, long duplicates, long redone) {}

  private static final String COLUMNS = "SELECT call_id, processor, version, parameters_hash, analysis_id";

  private ResultWriteCensus() {}

  /** Every call's audited writes of this computation: one scan of the table. */
  public static Counts count(CqlSession session, Computation computation) {
    SimpleStatement scan =
        SimpleStatement.newInstance(COLUMNS + " FROM call_result_writes")
            .setPageSize(5000)
            .setTimeout(Duration.ofSeconds(60));
    return tally(session.execute(scan), computation);
  }

  /** One call's audited writes of this computation: one partition. */
  public static Counts countCall(CqlSession session, long callId, Computation computation) {
    return tally(
        session.execute(
            COLUMNS
                + " FROM call_result_writes"
                + " WHERE call_id = ? AND processor = ? AND version = ? AND parameters_hash = ?",
            callId,
            computation.processor(),
            computation.version(),
            computation.parametersHash()),
        computation);
  }

  private static Counts tally(Iterable<Row> rows, Computation computation) {
    Map<Long, Integer> writesByCall = new HashMap<>();
    Map<Long, Set<UUID>> analysesByCall = new HashMap<>();
    for (Row row : rows) {
      if (!computation.processor().equals(row.getString("processor"))
          || row.getInt("version") != computation.version()
          || !computation.parametersHash().equals(row.getString("parameters_hash"))) {
        continue;
      }
      long callId = row.getLong("call_id");
      writesByCall.merge(callId, 1, Integer::sum);
      analysesByCall.computeIfAbsent(callId, id -> new HashSet<>()).add(row.getUuid("analysis_id"));
    }
    long writes = writesByCall.values().stream().mapToLong(Integer::longValue).sum();
    long duplicates = writesByCall.values().stream().filter(n -> n > 1).count();
    long redone = analysesByCall.values().stream().filter(ids -> ids.size() > 1).count();
    return new Counts(writesByCall.size(), writes, duplicates, redone);
  }
}
