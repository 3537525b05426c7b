package dev.backfill.cluster.http;

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
import dev.backfill.cluster.testing.TestNodes;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.RealStores;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 8: two keyword-tracker jobs with other keywords over the same calls, at the same time.
 * A result is keyed by its parameters too, so neither job finds the other's results "done" and
 * keeps them: each writes every call's result for its own keywords, and each result's counts are
 * those PostgreSQL finds in the stored transcript. A third job with the first one's keywords,
 * spelled otherwise, is the same computation and finds every call done.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class KeywordJobsTest {

  private static final int CALLS = 300;
  private static final String PROCESSOR = "keyword-tracker";
  private static final String PRICING = "pricing, Callwise";
  private static final String SECURITY = "security review,Slack, renewal,security";

  @Test
  void twoJobsWithOtherKeywordsOverTheSameCallsEachKeepTheirOwnCorrectResults() throws SQLException {
    Config environment =
        // The result audit on: "written once" below counts writes per computation.
        ConfigFactory.parseMap(Map.of("backfill.http.port", 0, "backfill.results.audit", "on"))
            .withFallback(RealStores.freshEnvironment("keyword_jobs"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 29);
    Processor tracker = ProcessorRegistry.load().find(PROCESSOR).orElseThrow();
    Computation pricing = Computation.of(tracker, Map.of("keywords", PRICING));
    Computation security = Computation.of(tracker, Map.of("keywords", SECURITY));

    try (TestNodes nodes = TestNodes.start(1, environment);
        CqlSession cassandra = CassandraSessions.withKeyspace(settings.cassandra())) {
      ApiTestClient api = nodes.api(0);
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      // Submitted together, so that both run over the same calls at once.
      String pricingJob = submit(api, PRICING);
      String securityJob = submit(api, SECURITY);
      for (String job : List.of(pricingJob, securityJob)) {
        JsonNode done = awaitCompleted(api, probe, job);
        assertEquals(
            CALLS, done.path("processed").asLong(), () -> "none taken for the other job's: " + done);
        assertEquals(0, done.path("skipped").asLong(), done::toString);
        assertEquals(0, done.path("failed").asLong(), done::toString);
      }

      Map<String, Map<Long, Row>> byHash = keywordResults(cassandra);
      assertEquals(
          Set.of(pricing.parametersHash(), security.parametersHash()),
          byHash.keySet(),
          "results of the two jobs' keywords, and of nothing else");
      assertCorrect(
          settings,
          cassandra,
          byHash.get(pricing.parametersHash()),
          pricing,
          pricingJob,
          List.of("callwise", "pricing"));
      assertCorrect(
          settings,
          cassandra,
          byHash.get(security.parametersHash()),
          security,
          securityJob,
          List.of("renewal", "security", "security review", "slack"));

      String again = submit(api, " CALLWISE,pricing,pricing");
      JsonNode rerun = awaitCompleted(api, probe, again);
      assertEquals(0, rerun.path("processed").asLong(), rerun::toString);
      assertEquals(CALLS, rerun.path("skipped").asLong(), rerun::toString);
      assertEquals(
          new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
          ResultWriteCensus.count(cassandra, pricing),
          "the same keywords spelled otherwise wrote nothing");
      assertEquals(
          pricingJob,
          keywordResults(cassandra).get(pricing.parametersHash()).get(1L).getString("job_id"),
          "kept by the job that computed it");
    }
  }

  /**
   * Every call has one result of this computation, written once by its job, stored with the
   * canonical parameters, holding exactly the job's keywords, each counted per side as PostgreSQL
   * counts whole-word, case-insensitive matches in the stored transcript.
   */
  private static void assertCorrect(
      EngineSettings settings,
      CqlSession cassandra,
      Map<Long, Row> rows,
      Computation computation,
      String jobId,
      List<String> keywords)
      throws SQLException {
    assertEquals(CALLS, rows.size(), "one result per call for " + computation.parameters());
    assertEquals(
        new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
        ResultWriteCensus.count(cassandra, computation),
        "each call's result written once, by one analysis");
    for (String keyword : keywords) {
      Map<Long, long[]> expected = mentions(settings, keyword);
      long total = 0;
      for (Map.Entry<Long, Row> entry : rows.entrySet()) {
        Row row = entry.getValue();
        assertEquals(jobId, row.getString("job_id"));
        assertEquals(computation.parameters(), row.getString("parameters"));
        JsonNode result = readJson(row.getString("result"));
        Set<String> reported = new HashSet<>();
        result.fieldNames().forEachRemaining(reported::add);
        assertEquals(Set.copyOf(keywords), reported, "the job's own keywords in call " + entry.getKey());
        long[] counts = expected.getOrDefault(entry.getKey(), new long[2]);
        String where = "'" + keyword + "' in call " + entry.getKey();
        assertEquals(counts[0], result.path(keyword).path("rep").asLong(-1), "rep's " + where);
        assertEquals(counts[1], result.path(keyword).path("customer").asLong(-1), "customer's " + where);
        total += counts[0] + counts[1];
      }
      assertTrue(total > 0, "the seeded calls mention '" + keyword + "', so the check checks something");
    }
  }

  /** Per call, rep's and customer's whole-word mentions of the keyword, counted by PostgreSQL. */
  private static Map<Long, long[]> mentions(EngineSettings settings, String keyword) throws SQLException {
    var primary = settings.primary();
    String sql =
        "SELECT c.id,"
            + " coalesce(sum(m.n) FILTER (WHERE u->>'role' = 'rep'), 0)::bigint,"
            + " coalesce(sum(m.n) FILTER (WHERE u->>'role' = 'customer'), 0)::bigint"
            + " FROM calls c"
            + " CROSS JOIN LATERAL jsonb_array_elements(c.transcript->'utterances') u"
            + " CROSS JOIN LATERAL (SELECT count(*) AS n FROM regexp_matches(u->>'text', ?, 'gi')) m"
            + " GROUP BY c.id";
    // \m and \M: the start and end of a word; a phrase's words are apart by any whitespace.
    String pattern = "\\m" + String.join("\\s+", keyword.split(" ")) + "\\M";
    Map<Long, long[]> counts = new HashMap<>();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, pattern);
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          counts.put(rows.getLong(1), new long[] {rows.getLong(2), rows.getLong(3)});
        }
      }
    }
    return counts;
  }

  /** keyword-tracker's version 1 results, by parameters hash and call. */
  private static Map<String, Map<Long, Row>> keywordResults(CqlSession cassandra) {
    Map<String, Map<Long, Row>> byHash = new HashMap<>();
    SimpleStatement scan =
        SimpleStatement.newInstance(
                "SELECT call_id, processor, version, parameters_hash, parameters, result, job_id"
                    + " FROM call_results")
            .setPageSize(5000);
    for (Row row : cassandra.execute(scan)) {
      if (row.getString("processor").equals(PROCESSOR) && row.getInt("version") == 1) {
        byHash
            .computeIfAbsent(row.getString("parameters_hash"), hash -> new HashMap<>())
            .put(row.getLong("call_id"), row);
      }
    }
    return byHash;
  }

  private static String submit(ApiTestClient api, String keywords) {
    String body =
        "{\"processor\":\""
            + PROCESSOR
            + "\",\"version\":1,\"parameters\":{\"keywords\":\""
            + keywords
            + "\"}}";
    ApiTestClient.Response response = api.post("/jobs", body);
    assertEquals(202, response.status(), () -> String.valueOf(response.body()));
    return response.body().path("job_id").asText();
  }

  private static JsonNode awaitCompleted(ApiTestClient api, TestProbe<Object> probe, String jobId) {
    return probe.awaitAssert(
        Duration.ofSeconds(120),
        Duration.ofMillis(250),
        () -> {
          JsonNode status = api.get("/jobs/" + jobId).body();
          assertEquals("COMPLETED", status.path("status").asText(), status::toString);
          return status;
        });
  }

  private static JsonNode readJson(String json) {
    try {
      return ApiJson.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
