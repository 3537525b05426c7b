package dev.backfill.cluster.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.testing.ApiTestClient;
import dev.backfill.cluster.testing.TestNodes;
import dev.backfill.engine.testing.RealStores;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A change made with PATCH /governor outlives the governor's node: the node hosting the singleton
 * leaves, the governor starts again on the other node, reads the change back from the real JDBC
 * journal, and GET /governor shows it there with where it came from; it also starts from the
 * primary's baseline that the first governor learned. Two nodes and no job: the cheapest cluster in
 * which the singleton moves.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class GovernorSettingsHandOverTest {

  @Test
  void aChangedBudgetSurvivesTheGovernorsNodeLeaving() {
    Config environment = RealStores.freshEnvironment("governor_settings");
    try (TestNodes nodes = TestNodes.start(2, environment)) {
      ApiTestClient survivor = nodes.api(1);
      TestProbe<Object> probe = TestProbe.create(nodes.node(1).system());
      probe.awaitAssert(
          Duration.ofSeconds(30),
          Duration.ofMillis(250),
          () -> {
            JsonNode before = survivor.get("/governor").body();
            assertEquals("CONFIGURATION", before.path("settings").path("source").asText(), before::toString);
            assertEquals(5000.0, before.path("budget").path("max_rows_per_second").asDouble(), before::toString);
            // Its probes have learned the primary's baseline (no job runs: every probe refreshes it).
            assertTrue(
                before.path("live_path").path("baseline_from").asText().startsWith("this governor's probes, on ")
                    && before.path("live_path").path("baseline_tail_probes").asInt() >= 30,
                before::toString);
            return null;
          });
      // Shared at most every 30 s while no job runs: the first one learned is shared at once.
      String firstNode = nodes.node(0).system().address().toString();

      var patched = survivor.patch("/governor", "{\"max_rows_per_second\": 1234, \"thresholds\": {\"live_ratio_warn\": 2.5}}");

      assertEquals(200, patched.status(), () -> String.valueOf(patched.body()));
      assertEquals("OVERRIDES", patched.body().path("settings").path("source").asText(), patched.body()::toString);

      // The singleton runs on the oldest member: the first node, the seed.
      nodes.node(0).close();

      JsonNode moved =
          probe.awaitAssert(
              Duration.ofSeconds(60),
              Duration.ofMillis(250),
              () -> {
                var response = survivor.get("/governor");
                assertEquals(200, response.status(), () -> String.valueOf(response.body()));
                JsonNode view = response.body();
                assertEquals("OVERRIDES", view.path("settings").path("source").asText(), view::toString);
                return view;
              });
      assertEquals(1234.0, moved.path("budget").path("max_rows_per_second").asDouble(), moved::toString);
      assertEquals(2.5, moved.path("thresholds").path("live_ratio_warn").asDouble(), moved::toString);
      JsonNode rows = moved.path("settings").path("overrides").get(0);
      assertEquals("max_rows_per_second", rows.path("field").asText(), moved::toString);
      assertEquals(5000.0, rows.path("configured").asDouble(), moved::toString);
      assertTrue(rows.path("by").asText().startsWith("PATCH /governor on "), moved::toString);
      assertTrue(moved.path("settings").path("problem").isNull(), moved::toString);
      // The moved governor started from the baseline the first one learned, instead of holding
      // every job back for a quiet moment of its own.
      assertEquals(firstNode, moved.path("live_path").path("baseline_taken_over_from").asText(), moved::toString);

      // The way back: the configuration is in force again, on the new governor too.
      JsonNode cleared = delete(nodes.node(1).apiUrl() + "/governor/overrides");
      assertEquals("CONFIGURATION", cleared.path("settings").path("source").asText(), cleared::toString);
      assertEquals(5000.0, cleared.path("budget").path("max_rows_per_second").asDouble(), cleared::toString);
    }
  }

  /** DELETE, expecting 200; the body. */
  private static JsonNode delete(String url) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(HttpRequest.newBuilder(URI.create(url)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response::body);
      return ApiJson.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
