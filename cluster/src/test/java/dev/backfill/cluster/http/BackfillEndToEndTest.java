package dev.backfill.cluster.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.node.BackfillNode;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.cluster.testing.ApiTestClient;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.JobResults;
import dev.backfill.engine.testing.RealStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The product end to end on one node: real PostgreSQL with seeded calls, real Cassandra, the real
 * node, and a client that only speaks HTTP.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class BackfillEndToEndTest {

  private static final int CALLS = 2_000;
  /** A stopped job's results have not changed for this long: the calls in flight have finished. */
  private static final Duration SETTLED_AFTER = Duration.ofMillis(1500);
  /**
   * The observation window over which a paused or cancelled job must write nothing: at its cap of
   * 20 calls/s a job still running would write dozens of results meanwhile.
   */
  private static final Duration NOTHING_HAPPENS_WINDOW = Duration.ofSeconds(3);
  private static BackfillNode node;
  private static ApiTestClient api;
  private static EngineSettings settings;
  private static CqlSession cassandra;
  private static JobResults results;

  @BeforeAll
  static void start() {
    Config config =
        // The result audit on: "exactly one" below counts writes, which could come out 2.
        ConfigFactory.parseMap(Map.of("backfill.http.port", 0, "backfill.results.audit", "on"))
            .withFallback(RealStores.freshEnvironment("end_to_end"));
    settings = EngineSettings.create(config);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 7);
    node = BackfillNode.start(config);
    api = new ApiTestClient(node.apiUrl());
    cassandra = CassandraSessions.withKeyspace(settings.cassandra());
    results = new JobResults(cassandra, TestProbe.create(node.system()));
  }

  @AfterAll
  static void stop() {
    if (node != null) {
      node.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  void everyCallGetsExactlyOneCorrectResultAndARerunWritesNothing() throws SQLException {
    JsonNode nodeBefore = api.get("/node").body().path("calls_recorded");
    String firstJob = submit("{\"processor\":\"talk-ratio\",\"version\":1}");
    JsonNode first = awaitCompleted(firstJob);
    assertEquals(CALLS, first.path("total_calls").asLong());
    assertEquals(CALLS, first.path("processed").asLong());
    assertEquals(0, first.path("failed").asLong());

    Map<Long, Row> results = talkRatioResults();
    assertEquals(CALLS, results.size(), "one result row per call");
    assertEquals(
        new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
        ResultWriteCensus.count(cassandra, Computation.withoutParameters("talk-ratio", 1)),
        "every call's result written once, by one analysis");
    results.values().forEach(row -> assertEquals(firstJob, row.getString("job_id")));
    assertSampleMatchesTheTranscripts(results, List.of(1L, 2L, 3L, 500L, 1234L, 1999L, 2000L));

    String secondJob = submit("{\"processor\":\"talk-ratio\",\"version\":1}");
    JsonNode second = awaitCompleted(secondJob);
    assertEquals(0, second.path("processed").asLong());
    assertEquals(CALLS, second.path("skipped").asLong());
    // This node's call entities did all of it (the only node), and say so: GET /node.
    JsonNode nodeAfter = api.get("/node").body();
    assertTrue(nodeAfter.path("address").asText().startsWith("pekko://backfill@"), nodeAfter::toString);
    assertEquals(nodeBefore.path("done").asLong() + CALLS, nodeAfter.path("calls_recorded").path("done").asLong());
    assertEquals(
        nodeBefore.path("skipped").asLong() + CALLS, nodeAfter.path("calls_recorded").path("skipped").asLong());

    Map<Long, Row> afterRerun = talkRatioResults();
    assertEquals(CALLS, afterRerun.size());
    afterRerun.values().forEach(row -> assertEquals(firstJob, row.getString("job_id"), "rewritten by the rerun"));
    assertEquals(
        new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
        ResultWriteCensus.count(cassandra, Computation.withoutParameters("talk-ratio", 1)),
        "the rerun wrote nothing");
    long skippedInLedger =
        cassandra
            .execute("SELECT status FROM ledger WHERE job_id = ? AND bucket = 0", secondJob)
            .all()
            .stream()
            .filter(row -> row.getString("status").equals("SKIPPED"))
            .count();
    assertEquals(CALLS, skippedInLedger, "every call of the rerun is in the ledger as skipped");
  }

  @Test
  void badRequestsGetAProblemNamingTheFieldAndUnknownJobsA404() {
    assertProblem(api.post("/jobs", "{\"processor\": \"talk-ratio\", "), 400, null);
    assertProblem(api.post("/jobs", "{\"processor\":\"no-such\",\"version\":1}"), 400, "processor");
    assertProblem(api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":0}"), 400, "version");
    assertProblem(
        api.post(
            "/jobs",
            "{\"processor\":\"talk-ratio\",\"version\":1,\"from\":\"2025-06-01\",\"to\":\"2025-01-01\"}"),
        400,
        "to");
    assertProblem(
        api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":1,\"speed\":3}"), 400, "speed");
    assertProblem(
        api.post("/jobs", "{\"processor\":\"keyword-tracker\",\"version\":1}"), 400, "parameters.keywords");
    assertProblem(api.get("/jobs/00000000-0000-0000-0000-000000000000"), 404, null);

    JsonNode processors = api.get("/processors").body().path("processors");
    assertTrue(
        processors.findValuesAsText("id").containsAll(
            List.of("talk-ratio", "longest-monologue", "interactivity", "question-count")),
        processors.toString());
    JsonNode listed = api.get("/jobs").body().path("jobs");
    assertTrue(listed.isArray());
  }

  /**
   * Once a pause or a cancel has answered and the calls it found in flight have finished, the job
   * writes no result, as Cassandra counts them over an observation window; after a resume it writes
   * again and completes. Each job has a processor no other test here runs, and is capped so that it
   * is certainly mid-way when stopped and has few calls in flight.
   */
  @Test
  void jobsArePausedResumedAndCancelledOverHttp() {
    String jobId = submit("{\"processor\":\"patience\",\"version\":1,\"max_calls_per_second\":20}");
    results.awaitMoreThan(jobId, 0, Duration.ofSeconds(60));

    var paused = api.post("/jobs/" + jobId + "/pause", "");
    assertEquals(200, paused.status(), () -> String.valueOf(paused.body()));
    assertEquals("PAUSED", paused.body().path("status").asText());
    long whilePaused = results.awaitSettled(jobId, SETTLED_AFTER, Duration.ofSeconds(30));
    assertTrue(whilePaused < CALLS, () -> "paused before its end, with " + whilePaused + " results");
    results.assertUnchangedFor(jobId, whilePaused, NOTHING_HAPPENS_WINDOW);
    assertEquals("PAUSED", api.get("/jobs/" + jobId).body().path("status").asText());

    // Uncapped for the rest, so that it completes in seconds.
    assertEquals(200, api.patch("/jobs/" + jobId, "{\"max_calls_per_second\": null}").status());
    assertEquals(200, api.post("/jobs/" + jobId + "/resume", "").status());
    results.awaitMoreThan(jobId, whilePaused, Duration.ofSeconds(60));
    JsonNode done = awaitCompleted(jobId);
    assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong(), done::toString);
    assertEquals(0, done.path("failed").asLong(), done::toString);
    assertEquals(CALLS, results.count(jobId), "every call's result, by this job");

    String cancelledId = submit("{\"processor\":\"interactivity\",\"version\":1,\"max_calls_per_second\":20}");
    results.awaitMoreThan(cancelledId, 0, Duration.ofSeconds(60));
    var cancelled = api.post("/jobs/" + cancelledId + "/cancel", "");
    assertEquals("CANCELLED", cancelled.body().path("status").asText(), () -> String.valueOf(cancelled.body()));
    long afterCancel = results.awaitSettled(cancelledId, SETTLED_AFTER, Duration.ofSeconds(30));
    assertTrue(afterCancel < CALLS, () -> "cancelled before its end, with " + afterCancel + " results");
    results.assertUnchangedFor(cancelledId, afterCancel, NOTHING_HAPPENS_WINDOW);

    assertProblem(api.post("/jobs/" + cancelledId + "/resume", ""), 409, null);
    assertProblem(api.post("/jobs/00000000-0000-0000-0000-000000000001/pause", ""), 404, null);
    assertProblem(api.post("/jobs/" + cancelledId + "/explode", ""), 404, null);
  }

  /**
   * The tenant and date filters, on seeded calls of many tenants over two years: the bounds are
   * start times of the tenant's own calls, so that one call starts exactly at {@code from}
   * (included) and one exactly at {@code to} (excluded). The calls that get a result must be
   * exactly those PostgreSQL selects with the same filter.
   */
  @Test
  void aJobWithATenantAndDatesProcessesExactlyTheMatchingCalls() throws SQLException {
    String tenant = "contoso";
    List<Instant> starts = startTimesOf(tenant);
    assertTrue(starts.size() >= 8, () -> "the seed gives " + tenant + " enough calls: " + starts.size());
    Instant from = starts.get(starts.size() / 4);
    Instant to = starts.get(starts.size() * 3 / 4);
    Set<Long> expected =
        callIds("SELECT id FROM calls WHERE tenant = ? AND started_at >= ? AND started_at < ?", tenant, from, to);
    // Each filter must matter here, or the test could pass with it ignored.
    assertFalse(expected.isEmpty());
    assertFalse(
        callIds("SELECT id FROM calls WHERE tenant <> ? AND started_at >= ? AND started_at < ?", tenant, from, to)
            .isEmpty(),
        "other tenants' calls lie between the dates");
    assertFalse(
        callIds("SELECT id FROM calls WHERE tenant = ? AND (started_at < ? OR started_at >= ?)", tenant, from, to)
            .isEmpty(),
        "the tenant has calls outside the dates");
    Set<Long> atFrom = callIds("SELECT id FROM calls WHERE tenant = ? AND started_at = ?", tenant, from);
    Set<Long> atTo = callIds("SELECT id FROM calls WHERE tenant = ? AND started_at = ?", tenant, to);

    String jobId =
        submit(
            "{\"processor\":\"longest-monologue\",\"version\":1,\"tenant\":\""
                + tenant
                + "\",\"from\":\""
                + from
                + "\",\"to\":\""
                + to
                + "\"}");
    JsonNode done = awaitCompleted(jobId);

    assertEquals(expected.size(), done.path("total_calls").asLong(), done::toString);
    assertEquals(expected.size(), done.path("processed").asLong(), done::toString);
    assertEquals(0, done.path("failed").asLong(), done::toString);
    Set<Long> withResults = results.callIds(jobId);
    assertEquals(expected.size(), withResults.size(), "as many results as matching calls");
    assertEquals(expected, withResults, "results for exactly the matching calls");
    assertTrue(withResults.containsAll(atFrom), "a call starting at 'from' is in");
    assertTrue(atTo.stream().noneMatch(withResults::contains), "a call starting at 'to' is out");
  }

  @Test
  void theNodeIsReadyWhenItHasJoinedAndItsStoresAnswer() {
    TestProbe<Object> probe = TestProbe.create(node.system());
    JsonNode ready =
        probe.awaitAssert(
            Duration.ofSeconds(20),
            () -> {
              ApiTestClient.Response response = api.get("/ready");
              assertEquals(200, response.status(), () -> String.valueOf(response.body()));
              return response.body();
            });
    assertTrue(ready.path("ready").asBoolean());
    assertEquals("ok", ready.path("checks").path("cassandra").asText());
    assertEquals("ok", ready.path("checks").path("journal").asText());
    assertEquals("ok", ready.path("checks").path("cluster").asText());
  }

  private static void assertProblem(ApiTestClient.Response response, int status, String field) {
    assertEquals(status, response.status(), () -> String.valueOf(response.body()));
    assertEquals("application/problem+json", response.contentType());
    assertEquals(status, response.body().path("status").asInt());
    if (field != null) {
      assertTrue(
          response.body().path("errors").findValuesAsText("field").contains(field),
          () -> "expected a problem naming " + field + ": " + response.body());
    }
  }

  private static String submit(String body) {
    ApiTestClient.Response response = api.post("/jobs", body);
    assertEquals(202, response.status(), () -> String.valueOf(response.body()));
    return response.body().path("job_id").asText();
  }

  private static JsonNode awaitCompleted(String jobId) {
    TestProbe<Object> probe = TestProbe.create(node.system());
    return probe.awaitAssert(
        Duration.ofSeconds(120),
        Duration.ofMillis(250),
        () -> {
          JsonNode status = api.get("/jobs/" + jobId).body();
          assertEquals("COMPLETED", status.path("status").asText(), status::toString);
          return status;
        });
  }

  private static Map<Long, Row> talkRatioResults() {
    Map<Long, Row> rows = new HashMap<>();
    SimpleStatement scan =
        SimpleStatement.newInstance("SELECT call_id, processor, version, result, job_id FROM call_results")
            .setPageSize(5000);
    for (Row row : cassandra.execute(scan)) {
      if (row.getString("processor").equals("talk-ratio") && row.getInt("version") == 1) {
        rows.put(row.getLong("call_id"), row);
      }
    }
    return rows;
  }

  /** The start times of the tenant's calls, earliest first. */
  private static List<Instant> startTimesOf(String tenant) throws SQLException {
    var primary = settings.primary();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        PreparedStatement statement =
            connection.prepareStatement("SELECT started_at FROM calls WHERE tenant = ? ORDER BY started_at")) {
      statement.setString(1, tenant);
      List<Instant> starts = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          starts.add(rows.getObject(1, OffsetDateTime.class).toInstant());
        }
      }
      return starts;
    }
  }

  /** The ids a query of the primary returns; instants are bound as timestamps with time zone. */
  private static Set<Long> callIds(String sql, Object... parameters) throws SQLException {
    var primary = settings.primary();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < parameters.length; i++) {
        Object parameter =
            parameters[i] instanceof Instant instant ? OffsetDateTime.ofInstant(instant, ZoneOffset.UTC) : parameters[i];
        statement.setObject(i + 1, parameter);
      }
      Set<Long> ids = new HashSet<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          ids.add(rows.getLong(1));
        }
      }
      return ids;
    }
  }

  /** Talk time per side recomputed by PostgreSQL from the stored transcript, not by our code. */
  private static void assertSampleMatchesTheTranscripts(Map<Long, Row> results, List<Long> callIds)
      throws SQLException {
    var primary = settings.primary();
    String sql =
        "SELECT coalesce(sum((u->>'end_ms')::bigint - (u->>'start_ms')::bigint)"
            + "   FILTER (WHERE u->>'role' = 'rep'), 0),"
            + " coalesce(sum((u->>'end_ms')::bigint - (u->>'start_ms')::bigint)"
            + "   FILTER (WHERE u->>'role' = 'customer'), 0)"
            + " FROM calls, jsonb_array_elements(transcript->'utterances') u WHERE id = ?";
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (long callId : callIds) {
        statement.setLong(1, callId);
        try (ResultSet expected = statement.executeQuery()) {
          expected.next();
          JsonNode result = readJson(results.get(callId).getString("result"));
          assertEquals(expected.getLong(1), result.path("rep_talk_ms").asLong(), "rep talk of call " + callId);
          assertEquals(
              expected.getLong(2), result.path("customer_talk_ms").asLong(), "customer talk of call " + callId);
        }
      }
    }
  }

  private static JsonNode readJson(String json) {
    try {
      return ApiJson.MAPPER.readTree(json);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
