package dev.backfill.cluster.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows jobs through {@code GET /jobs/{id}} until all have ended, drawing one progress line:
 * redrawn in place on a terminal, a plain line every few seconds otherwise (logs, CI). It also
 * adds up, per job, the time it saw the job THROTTLED (to within one poll of 250 ms).
 */
final class ProgressWatcher {

  /** A job's last status and the time it was seen held back by the governor. */
  record Watched(JsonNode status, long throttledMs) {}

  private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED");
  private static final long POLL_MS = 250;
  private static final long PLAIN_LINE_EVERY_MS = 5000;

  private final List<ApiClient> apis;
  private final PrintStream err;
  private final boolean terminal = System.console() != null;

  ProgressWatcher(List<ApiClient> apis, PrintStream err) {
    this.apis = apis;
    this.err = err;
  }

  /** Polls each job through a different node's API in turn: any node answers for any job. */
  Map<String, Watched> awaitEnd(List<String> jobIds) throws IOException, InterruptedException {
    Map<String, JsonNode> last = new LinkedHashMap<>();
    Map<String, Long> throttled = new LinkedHashMap<>();
    long lastPlainLine = 0;
    int round = 0;
    while (true) {
      long pollStart = System.currentTimeMillis();
      for (int i = 0; i < jobIds.size(); i++) {
        String jobId = jobIds.get(i);
        ApiClient api = apis.get((i + round) % apis.size());
        ApiClient.Reply reply = api.get("/jobs/" + jobId);
        if (!reply.ok()) {
          throw new CliException("GET /jobs/" + jobId + " answered HTTP " + reply.status() + ": " + reply.body());
        }
        JsonNode status = ApiJson.MAPPER.readTree(reply.body());
        last.put(jobId, status);
        if ("THROTTLED".equals(status.path("status").asText())) {
          throttled.merge(jobId, POLL_MS, Long::sum);
        }
      }
      round++;
      boolean allEnded = last.values().stream().allMatch(s -> ENDED.contains(s.path("status").asText()));
      String line = line(last.values());
      if (terminal) {
        err.print("\r" + line + "   ");
      } else if (pollStart - lastPlainLine >= PLAIN_LINE_EVERY_MS || allEnded) {
        err.println(line);
        lastPlainLine = pollStart;
      }
      if (allEnded) {
        if (terminal) {
          err.println();
        }
        Map<String, Watched> watched = new LinkedHashMap<>();
        last.forEach((id, status) -> watched.put(id, new Watched(status, throttled.getOrDefault(id, 0L))));
        return watched;
      }
      Thread.sleep(Math.max(0, POLL_MS - (System.currentTimeMillis() - pollStart)));
    }
  }

  private static String line(Iterable<JsonNode> statuses) {
    long finished = 0;
    long total = 0;
    double rate = 0;
    int throttled = 0;
    int running = 0;
    for (JsonNode status : statuses) {
      finished +=
          status.path("processed").asLong() + status.path("skipped").asLong() + status.path("failed").asLong();
      total += Math.max(0, status.path("total_calls").asLong());
      rate += status.path("calls_per_second").asDouble(0);
      String phase = status.path("status").asText();
      throttled += phase.equals("THROTTLED") ? 1 : 0;
      running += ENDED.contains(phase) ? 0 : 1;
    }
    double percent = total == 0 ? 0 : 100.0 * finished / total;
    long eta = rate > 0 ? (long) Math.ceil((total - finished) / rate) : -1;
    return String.format(
        "[%5.1f%%] %,d/%,d calls  %,.0f calls/s  ETA %s  %d running, %d throttled",
        percent, finished, total, rate, eta < 0 ? "?" : eta + " s", running, throttled);
  }
}
