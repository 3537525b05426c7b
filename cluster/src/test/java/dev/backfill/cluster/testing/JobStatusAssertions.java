package dev.backfill.cluster.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** What a test of a failure "under a running job" must see before it makes the failure happen. */
public final class JobStatusAssertions {

  private static final Set<String> RUNNING = Set.of("RUNNING", "THROTTLED", "STALLED");

  private JobStatusAssertions() {}

  /**
   * The job, as {@code GET /jobs/{id}} showed it just now, is running and has calls left: it has
   * not completed (or stopped) before the failure the test is about to cause, which it would then
   * never have met.
   */
  public static void assertStillRunning(JsonNode status, String when) {
    assertTrue(
        RUNNING.contains(status.path("status").asText()),
        () -> "the job must still be running " + when + ": " + status);
    long total = status.path("total_calls").asLong();
    long finished =
        status.path("processed").asLong() + status.path("skipped").asLong() + status.path("failed").asLong();
    assertTrue(
        total > 0 && finished < total,
        () -> "the job must have calls left " + when + " (" + finished + " of " + total + " finished): " + status);
  }
}
