package dev.backfill.cluster.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/**
 * Follows a job through {@code GET /jobs/{id}} until it ends, drawing one progress line: redrawn
 * in place on a terminal, a plain line every few seconds otherwise (logs, CI).
 */
final class ProgressWatcher {

  private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED");
  private static final long POLL_MS = 250;
  private static final long PLAIN_LINE_EVERY_MS = 5000;

  private final ApiClient api;
  private final String jobId;
  private final PrintStream err;
  private final boolean terminal = System.console() != null;

  ProgressWatcher(ApiClient api, String jobId, PrintStream err) {
    this.api = api;
    this.jobId = jobId;
    this.err = err;
  }

  JsonNode awaitEnd() throws IOException, InterruptedException {
    long lastPlainLine = 0;
    while (true) {
      ApiClient.Reply reply = api.get("/jobs/" + jobId);
      if (!reply.ok()) {
        throw new CliException("GET /jobs/" + jobId + " answered HTTP " + reply.status() + ": " + reply.body());
      }
      JsonNode status = ApiJson.MAPPER.readTree(reply.body());
      String line = line(status);
      long now = System.currentTimeMillis();
      if (terminal) {
        err.print("\r" + line + "   ");
      } else if (now - lastPlainLine >= PLAIN_LINE_EVERY_MS) {
        err.println(line);
        lastPlainLine = now;
      }
      if (ENDED.contains(status.path("status").asText())) {
        if (terminal) {
          err.println();
        }
        return status;
      }
      Thread.sleep(POLL_MS);
    }
  }

  private static String line(JsonNode status) {
    long finished =
        status.path("processed").asLong() + status.path("skipped").asLong() + status.path("failed").asLong();
    String eta = status.path("eta_seconds").isNull() ? "?" : status.path("eta_seconds").asLong() + " s";
    return String.format(
        "[%5.1f%%] %,d/%,d calls  %,.0f calls/s  ETA %s  %s",
        status.path("percent").asDouble(0),
        finished,
        Math.max(0, status.path("total_calls").asLong()),
        status.path("calls_per_second").asDouble(0),
        eta,
        status.path("status").asText());
  }
}
