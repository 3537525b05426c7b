package dev.backfill.gatling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs the API accepted during a scenario, and what {@code GET /jobs} last said of them: none
 * may be lost (missing from the list) or left without a final status.
 */
final class AcceptedJobs {

  /** The statuses a job never leaves. */
  static final Set<String> FINAL = Set.of("COMPLETED", "CANCELLED", "FAILED");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Set<String> ids = ConcurrentHashMap.newKeySet();
  /** The last listed status of each accepted job; absent when the list did not have it. */
  private volatile Map<String, String> statuses = Map.of();

  void add(String jobId) {
    ids.add(jobId);
  }

  /** Takes in a {@code GET /jobs} answer. */
  void read(String jobList) {
    try {
      Map<String, String> listed = new ConcurrentHashMap<>();
      for (JsonNode job : JSON.readTree(jobList).path("jobs")) {
        listed.put(job.path("job_id").asText(), job.path("status").asText());
      }
      statuses = listed;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean allFinal() {
    return notListedOrUnfinished() == 0;
  }

  long notListedOrUnfinished() {
    Map<String, String> known = statuses;
    return ids.stream().filter(id -> !FINAL.contains(known.getOrDefault(id, "NOT LISTED"))).count();
  }

  /** Reads {@code jobList} and counts the accepted jobs missing from it or not yet ended. */
  long notListedOrUnfinished(String jobList) {
    read(jobList);
    return notListedOrUnfinished();
  }

  String summary() {
    Map<String, Long> byStatus = new TreeMap<>();
    Map<String, String> known = statuses;
    ids.forEach(id -> byStatus.merge(known.getOrDefault(id, "NOT LISTED"), 1L, Long::sum));
    return "accepted jobs: " + ids.size() + ", by their listed status: " + byStatus;
  }
}
