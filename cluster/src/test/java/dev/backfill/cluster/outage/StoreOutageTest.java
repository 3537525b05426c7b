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
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.RealStores;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Cassandra goes down in the middle of a job: the job stalls and says why, nothing is counted as
 * failed, and when Cassandra is back the job goes on by itself and ends with every call's result
 * and ledger entry exactly once.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class StoreOutageTest {

  /**
   * At its cap of 300 calls/s the job needs at least 5 s for these; Cassandra is stopped once 300
   * are processed, so the job has at least 4 s of calls left when the status is read just before
   * (and Cassandra closes its client port first when told to stop). A job that ended first would
   * fail the STALLED check below, not pass it.
   */
  private static final int CALLS = 1_500;

  @Test
  void aJobStallsWhileCassandraIsDownAndCompletesWhenItReturns() {
    Config environment =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.calls.ask-timeout", "2s",
                    "backfill.calls.attempts", 3,
                    "backfill.calls.max-backoff", "2s",
                    "backfill.cassandra.request-timeout", "2s",
                    // "once" below is counted from the audit of every result write.
                    "backfill.results.audit", "on"))
            .withFallback(RealStores.freshEnvironment("outage"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 9);

    try (TestNodes nodes = TestNodes.start(1, environment)) {
      ApiTestClient api = nodes.api(0);
      var submitted =
          api.post("/jobs", "{\"processor\":\"question-count\",\"version\":1,\"max_calls_per_second\":300}");
      String jobId = submitted.body().path("job_id").asText();
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> {
            assertTrue(api.get("/jobs/" + jobId).body().path("processed").asLong() >= 300);
            return null;
          });

      // Read just before the outage: a job that had already ended would pass without meeting it.
      JobStatusAssertions.assertStillRunning(api.get("/jobs/" + jobId).body(), "when Cassandra goes down");
      RealStores.stopCassandra();
      try {
        JsonNode stalled =
            probe.awaitAssert(
                Duration.ofSeconds(60),
                Duration.ofMillis(200),
                () -> {
                  JsonNode status = api.get("/jobs/" + jobId).body();
                  assertEquals("STALLED", status.path("status").asText(), status::toString);
                  return status;
                });
        assertTrue(stalled.path("reason").asText().contains("no outcome"), stalled::toString);
        assertEquals(0, stalled.path("failed").asLong(), "an outage fails no call");
      } finally {
        RealStores.startCassandra();
      }

      JsonNode done =
          probe.awaitAssert(
              Duration.ofSeconds(120),
              Duration.ofMillis(250),
              () -> {
                JsonNode status = api.get("/jobs/" + jobId).body();
                assertEquals("COMPLETED", status.path("status").asText(), status::toString);
                return status;
              });
      assertEquals(0, done.path("failed").asLong());
      assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong());

      try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
        long results = 0;
        for (Row row : session.execute(SimpleStatement.newInstance("SELECT processor FROM call_results").setPageSize(5000))) {
          results += row.getString("processor").equals("question-count") ? 1 : 0;
        }
        assertEquals(CALLS, results, "every call's result");
        assertEquals(
            new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
            ResultWriteCensus.count(session, Computation.withoutParameters("question-count", 1)),
            "every call's result written once, across the outage");
        long ledger =
            session.execute("SELECT call_id FROM ledger WHERE job_id = ? AND bucket = 0", jobId).all().size();
        assertEquals(CALLS, ledger, "every call in the ledger, once");
      }
    }
  }
}
