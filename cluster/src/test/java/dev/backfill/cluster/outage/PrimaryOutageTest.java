package dev.backfill.cluster.outage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.cluster.testing.ApiTestClient;
import dev.backfill.cluster.testing.JobStatusAssertions;
import dev.backfill.cluster.testing.TestNodes;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.RealStores;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL goes down in the middle of a job: here it holds both the primary and the journal, so
 * the job can neither read pages nor persist checkpoints. It must claim no progress it could not
 * persist, and go on by itself when the server is back, with every call's result exactly once.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class PrimaryOutageTest {

  /**
   * At its cap of 250 calls/s the job needs at least 6 s for these; the outage starts once 200 are
   * processed, so the job still has at least 5 s of calls left when the status is read just before
   * it (and a fast shutdown of PostgreSQL ends its connections at once).
   */
  private static final int CALLS = 1_500;

  @Test
  void aJobWaitsOutAPrimaryAndJournalOutageAndCompletes() {
    Config environment =
        ConfigFactory.parseMap(Map.of("backfill.primary.page-size", 100))
            .withFallback(RealStores.freshEnvironment("primary_outage"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 21);

    try (TestNodes nodes = TestNodes.start(1, environment)) {
      ApiTestClient api = nodes.api(0);
      String jobId =
          api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":1,\"max_calls_per_second\":250}")
              .body()
              .path("job_id")
              .asText();
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> {
            assertTrue(api.get("/jobs/" + jobId).body().path("processed").asLong() >= 200);
            return null;
          });

      // Read just before the outage: a job that had already ended would pass without meeting it.
      JobStatusAssertions.assertStillRunning(api.get("/jobs/" + jobId).body(), "when PostgreSQL goes down");
      RealStores.stopPostgres();
      try {
        probe.awaitAssert(
            Duration.ofSeconds(30),
            Duration.ofMillis(250),
            () -> {
              JsonNode governor = api.get("/governor").body();
              assertTrue(governor.path("paused").asBoolean(), governor::toString);
              return null;
            });
      } finally {
        RealStores.startPostgres();
      }

      JsonNode done =
          probe.awaitAssert(
              Duration.ofSeconds(180),
              Duration.ofMillis(500),
              () -> {
                var response = api.get("/jobs/" + jobId);
                assertEquals(200, response.status(), () -> String.valueOf(response.body()));
                assertEquals("COMPLETED", response.body().path("status").asText(), response.body()::toString);
                return response.body();
              });
      assertEquals(0, done.path("failed").asLong());
      assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong(), done::toString);
    }

    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      long results = 0;
      for (Row row : session.execute(SimpleStatement.newInstance("SELECT processor FROM call_results").setPageSize(5000))) {
        results += row.getString("processor").equals("talk-ratio") ? 1 : 0;
      }
      assertEquals(CALLS, results);
    }
  }
}
