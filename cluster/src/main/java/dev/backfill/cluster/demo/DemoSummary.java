package dev.backfill.cluster.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The demo's figures, from the jobs' final statuses and from the stores themselves. */
final class DemoSummary {

  private final Map<String, Object> figures = new LinkedHashMap<>();
  private boolean complete = true;

  DemoSummary(
      Demo.Options options,
      List<String> processors,
      Map<String, ProgressWatcher.Watched> watched,
      Map<String, ResultCensus.Census> census,
      PrimaryLoadMonitor.Window primary,
      Long pageQueries,
      int connectionCap,
      double seedRate,
      Instant demoStart) {
    long processed = 0;
    long skipped = 0;
    long failed = 0;
    long results = 0;
    long throttledMs = 0;
    Instant firstSubmitted = null;
    Instant lastFinished = null;
    Instant firstResult = null;
    List<Map<String, Object>> jobs = new ArrayList<>();
    for (var entry : watched.entrySet()) {
      JsonNode status = entry.getValue().status();
      String processor = status.path("processor").asText();
      ResultCensus.Census rows = census.getOrDefault(processor, new ResultCensus.Census(0, null));
      Map<String, Object> job = new LinkedHashMap<>();
      job.put("job_id", entry.getKey());
      job.put("processor", processor);
      job.put("status", status.path("status").asText());
      job.put("processed", status.path("processed").asLong());
      job.put("skipped", status.path("skipped").asLong());
      job.put("failed", status.path("failed").asLong());
      job.put("results_in_cassandra", rows.rows());
      job.put("throttled_ms", entry.getValue().throttledMs());
      jobs.add(job);
      processed += status.path("processed").asLong();
      skipped += status.path("skipped").asLong();
      failed += status.path("failed").asLong();
      results += rows.rows();
      throttledMs += entry.getValue().throttledMs();
      complete &= status.path("status").asText().equals("COMPLETED") && rows.rows() == options.calls();
      Instant submitted = Instant.parse(status.path("submitted_at").asText());
      Instant finished = Instant.parse(status.path("finished_at").asText());
      firstSubmitted = firstSubmitted == null || submitted.isBefore(firstSubmitted) ? submitted : firstSubmitted;
      lastFinished = lastFinished == null || finished.isAfter(lastFinished) ? finished : lastFinished;
      if (rows.firstWritten() != null && (firstResult == null || rows.firstWritten().isBefore(firstResult))) {
        firstResult = rows.firstWritten();
      }
    }
    long elapsedMs = Math.max(1, Duration.between(firstSubmitted, lastFinished).toMillis());
    figures.put("status", complete ? "COMPLETED" : "INCOMPLETE");
    figures.put("nodes", options.nodes());
    figures.put("jobs", processors.size());
    figures.put("calls", options.calls());
    figures.put("processed", processed);
    figures.put("skipped", skipped);
    figures.put("failed", failed);
    figures.put("results_in_cassandra", results);
    figures.put("elapsed_ms", elapsedMs);
    figures.put("calls_per_second", Math.round((processed + skipped + failed) * 1000.0 / elapsedMs));
    // The primary's figures cover the jobs' window (first submit to last end), from its own
    // statistics and the governor's lease counter; see PrimaryLoadMonitor.
    long windowMs = Math.max(1, primary.millis());
    figures.put("primary_window_ms", windowMs);
    figures.put("primary_db_max_connections", primary.maxConnections());
    figures.put("primary_db_connection_samples", primary.samples());
    figures.put("primary_db_connection_cap", connectionCap);
    figures.put("primary_page_queries", pageQueries);
    figures.put("primary_page_queries_per_second", pageQueries == null ? null : perSecond(pageQueries, windowMs));
    figures.put("primary_db_transactions", primary.transactions());
    figures.put("primary_db_transactions_per_second", perSecond(primary.transactions(), windowMs));
    figures.put("throttled_ms", throttledMs);
    figures.put("seed_calls_per_second", Math.round(seedRate));
    figures.put("first_result_ms", firstResult == null ? null : Duration.between(demoStart, firstResult).toMillis());
    figures.put("job_results", jobs);
  }

  private static double perSecond(long count, long millis) {
    return Math.round(count * 10_000.0 / millis) / 10.0;
  }

  Map<String, Object> figures() {
    return figures;
  }

  /** Every job completed and every one of its calls has a result in Cassandra. */
  boolean complete() {
    return complete;
  }
}
