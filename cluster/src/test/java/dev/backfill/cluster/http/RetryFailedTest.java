package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.cluster.testing.ApiTestClient;
import dev.backfill.cluster.testing.TestNodes;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.RealStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Calls whose transcripts are malformed end as failed with a reason while the rest complete;
 * once the rows are fixed, retry-failed re-drives exactly those calls.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class RetryFailedTest {

  private static final int CALLS = 600;

  @Test
  void malformedCallsFailAloneAndRetryFailedCompletesThemOnceFixed() throws SQLException {
    Config environment =
        ConfigFactory.parseMap(Map.of("backfill.http.port", 0)).withFallback(RealStores.freshEnvironment("retry_failed"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 13);
    sql(
        settings,
        "CREATE TABLE originals AS SELECT id, transcript FROM calls WHERE id IN (17, 333)",
        "UPDATE calls SET transcript = jsonb_set(transcript, '{utterances,0,role}', 'null') WHERE id IN (17, 333)");

    try (TestNodes nodes = TestNodes.start(1, environment);
        CqlSession cassandra = CassandraSessions.withKeyspace(settings.cassandra())) {
      ApiTestClient api = nodes.api(0);
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      String jobId = api.post("/jobs", "{\"processor\":\"longest-monologue\",\"version\":1}").body().path("job_id").asText();
      JsonNode first = awaitCompleted(api, probe, jobId);
      assertEquals(2, first.path("failed").asLong(), first::toString);
      assertEquals(CALLS - 2, first.path("processed").asLong(), first::toString);
      String reason =
          cassandra
              .execute("SELECT reason FROM ledger WHERE job_id = ? AND bucket = 0 AND call_id = 17", jobId)
              .one()
              .getString("reason");
      assertTrue(reason.contains("role"), reason);

      sql(settings, "UPDATE calls c SET transcript = o.transcript FROM originals o WHERE c.id = o.id");
      var retried = api.post("/jobs/" + jobId + "/retry-failed", "");
      assertEquals(200, retried.status(), () -> String.valueOf(retried.body()));

      JsonNode second = awaitCompleted(api, probe, jobId);
      assertEquals(0, second.path("failed").asLong(), second::toString);
      assertEquals(CALLS, second.path("processed").asLong(), second::toString);
      assertEquals(
          "DONE",
          cassandra
              .execute("SELECT status FROM ledger WHERE job_id = ? AND bucket = 0 AND call_id = 333", jobId)
              .one()
              .getString("status"));
      long results =
          cassandra.execute("SELECT processor FROM call_results").all().stream()
              .filter(row -> row.getString("processor").equals("longest-monologue"))
              .count();
      assertEquals(CALLS, results);
      assertEquals(409, api.post("/jobs/" + jobId + "/retry-failed", "").status(), "nothing left to retry");
    }
  }

  private static JsonNode awaitCompleted(ApiTestClient api, TestProbe<Object> probe, String jobId) {
    return probe.awaitAssert(
        Duration.ofSeconds(90),
        Duration.ofMillis(250),
        () -> {
          JsonNode status = api.get("/jobs/" + jobId).body();
          assertEquals("COMPLETED", status.path("status").asText(), status::toString);
          return status;
        });
  }

  private static void sql(EngineSettings settings, String... statements) throws SQLException {
    var primary = settings.primary();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
