package dev.backfill.cluster.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.backfill.engine.testing.JobResults;
import dev.backfill.engine.testing.RealStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The governor against a real primary that is made to suffer, and its controls over HTTP. The
 * health probe reads a small table of its own here, so a test can make the probe slow by holding
 * a lock on that table, as a competing load on the primary would.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class GovernorControlTest {

  /**
   * Shared by the class's jobs. At the configured budget (400 rows/s) a job needs at least 5 s for
   * these, against the second or so the governor takes to pause it once the probe is slowed; under
   * the low budget (20 rows/s) a job reads some 300 in its window, leaving well over the 300 that
   * 5 s above three times the low budget take once the budget is raised.
   */
  private static final int CALLS = 2_000;
  /** The row budget this class's node is configured with (below), restored after a change. */
  private static final double CONFIGURED_BUDGET = 400;
  /** A row budget a job is measured under: far below what the job does unlimited. */
  private static final double LOW_BUDGET = 20;
  /** A row budget far above the low one, to see the job speed up. */
  private static final double HIGH_BUDGET = 1_000;
  /** The observation window in which a job under the low budget is counted. */
  private static final Duration LOW_BUDGET_WINDOW = Duration.ofSeconds(10);
  private static TestNodes nodes;
  private static ApiTestClient api;
  private static EngineSettings settings;
  private static TestProbe<Object> probe;
  private static CqlSession cassandra;
  private static JobResults results;

  @BeforeAll
  static void start() throws SQLException {
    Config environment =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.governor.probe-query", "SELECT count(*) FROM governor_probe",
                    "backfill.governor.probe-timeout", "500ms",
                    "backfill.governor.sample-interval", "250ms",
                    "backfill.governor.thresholds.resume-after", "1s",
                    "backfill.governor.max-rows-per-second", 400,
                    "backfill.primary.page-size", 100))
            .withFallback(RealStores.freshEnvironment("governor_control"));
    settings = EngineSettings.create(environment);
    var primary = settings.primary();
    execute("CREATE TABLE governor_probe (id int)");
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 5);
    nodes = TestNodes.start(1, environment);
    api = nodes.api(0);
    probe = TestProbe.create(nodes.node(0).system());
    cassandra = CassandraSessions.withKeyspace(settings.cassandra());
    results = new JobResults(cassandra, probe);
  }

  @AfterAll
  static void stop() {
    if (nodes != null) {
      nodes.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
  }

  @Test
  void aSufferingPrimaryPausesTheJobWithTheReasonAndItResumesWhenThePrimaryRecovers()
      throws SQLException {
    String jobId = submit("{\"processor\":\"talk-ratio\",\"version\":1}");
    probe.awaitAssert(
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        () -> {
          assertTrue(api.get("/jobs/" + jobId).body().path("processed").asLong() > 0);
          return null;
        });

    var primary = settings.primary();
    try (Connection competitor = DriverManager.getConnection(primary.url(), primary.user(), primary.password())) {
      competitor.setAutoCommit(false);
      try (Statement lock = competitor.createStatement()) {
        lock.execute("LOCK TABLE governor_probe IN ACCESS EXCLUSIVE MODE");
      }
      JsonNode throttled =
          probe.awaitAssert(
              Duration.ofSeconds(10),
              Duration.ofMillis(100),
              () -> {
                JsonNode status = api.get("/jobs/" + jobId).body();
                assertEquals("THROTTLED", status.path("status").asText(), status::toString);
                assertTrue(status.path("reason").asText().contains("probe latency"), status::toString);
                return status;
              });
      JsonNode governor = api.get("/governor").body();
      assertTrue(governor.path("paused").asBoolean(), governor::toString);
      assertEquals(0.0, governor.path("rows_per_second").asDouble(), governor::toString);
      assertNotEquals(CALLS, throttled.path("processed").asLong(), "the job was stopped before its end");
      competitor.rollback();
    }

    probe.awaitAssert(
        Duration.ofSeconds(15),
        Duration.ofMillis(100),
        () -> {
          assertFalse(api.get("/governor").body().path("paused").asBoolean());
          return null;
        });
    JsonNode done =
        probe.awaitAssert(
            Duration.ofSeconds(90),
            Duration.ofMillis(250),
            () -> {
              JsonNode status = api.get("/jobs/" + jobId).body();
              assertEquals("COMPLETED", status.path("status").asText(), status::toString);
              return status;
            });
    assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong());
  }

  @Test
  void invalidGovernorChangesAreRefusedAndChangeNothing() {
    JsonNode before = api.get("/governor").body();

    assertProblem(api.patch("/governor", "{\"max_rows_per_second\": -5}"), "max_rows_per_second");
    assertProblem(api.patch("/governor", "{\"max_concurrent_queries\": 0}"), "max_concurrent_queries");
    assertProblem(api.patch("/governor", "{\"max_rows\": 10}"), "max_rows");
    assertProblem(
        api.patch("/governor", "{\"thresholds\": {\"probe_latency_warn_ms\": 900, \"probe_latency_critical_ms\": 100}}"),
        "probe_latency_warn_ms");
    assertProblem(api.patch("/governor", "{\"thresholds\": {\"colour\": 1}}"), "thresholds.colour");
    assertProblem(api.patch("/governor", "{\"max_rows_per_second\": \"fast\"}"), "max_rows_per_second");

    JsonNode after = api.get("/governor").body();
    assertEquals(before.path("budget"), after.path("budget"));
    assertEquals(before.path("thresholds"), after.path("thresholds"));
  }

  /**
   * A change is echoed, and a new row budget changes the rate a job runs at, as Cassandra counts
   * its results: lowered before the job starts (so that no page leased under the old budget runs
   * after it), then raised while the job runs.
   */
  @Test
  void aValidGovernorChangeTakesEffectAtOnce() {
    JsonNode changed =
        api.patch("/governor", "{\"max_query_millis_per_second\": 1200, \"thresholds\": {\"active_backends_warn\": 45}}")
            .body();
    assertEquals(1200.0, changed.path("budget").path("max_query_millis_per_second").asDouble(), changed::toString);
    assertEquals(45, changed.path("thresholds").path("active_backends_warn").asInt(), changed::toString);
    assertEquals(1200.0, api.get("/governor").body().path("budget").path("max_query_millis_per_second").asDouble());

    String jobId = null;
    try {
      JsonNode lowered = patchRowBudget(LOW_BUDGET);
      assertEquals(LOW_BUDGET, lowered.path("budget").path("max_rows_per_second").asDouble(), lowered::toString);
      jobId = submit("{\"processor\":\"longest-monologue\",\"version\":1}");

      // A page goes as soon as the job's bucket is out of debt and is charged whole, so a window
      // may see one page (at most page-size, 100 rows) beyond the budget's rows; a page leased
      // before it was charged before it. About 300 rows in 10 s, where twice the budget allows
      // 400. Unlimited, the job reads hundreds of calls a second.
      long first = results.awaitMoreThan(jobId, 0, Duration.ofSeconds(60));
      results.assertGrowsAtMostDuring(
          jobId, first, (long) (2 * LOW_BUDGET * LOW_BUDGET_WINDOW.toSeconds()), LOW_BUDGET_WINDOW);

      assertEquals(
          HIGH_BUDGET, patchRowBudget(HIGH_BUDGET).path("budget").path("max_rows_per_second").asDouble());
      // Three times the low budget over 5 s: under it, 5 s hold at most one page beyond the
      // budget's rows, 200 rows, 40 rows/s. A slow start after the raise is waited out.
      results.awaitRateAbove(jobId, 3 * LOW_BUDGET, Duration.ofSeconds(5), Duration.ofSeconds(40));
    } finally {
      // The configured budget again, and no job of this test left claiming a share.
      patchRowBudget(CONFIGURED_BUDGET);
      if (jobId != null) {
        api.post("/jobs/" + jobId + "/cancel", "");
      }
    }
  }

  @Test
  void aJobsPriorityAndCapChangeWhileItRunsAndBadTuningIsRefused() {
    String jobId = submit("{\"processor\":\"question-count\",\"version\":1,\"priority\":2}");

    assertProblem(api.patch("/jobs/" + jobId, "{\"priority\": 0}"), "priority");
    assertProblem(api.patch("/jobs/" + jobId, "{\"speed\": 3}"), "speed");
    assertEquals(404, api.patch("/jobs/no-such-job", "{\"priority\": 3}").status());

    var tuned = api.patch("/jobs/" + jobId, "{\"priority\": 3, \"max_calls_per_second\": 150}");
    if (tuned.status() == 409) {
      return; // it finished first: nothing left to tune, which the API said
    }
    assertEquals(200, tuned.status(), () -> String.valueOf(tuned.body()));
    assertEquals(3.0, tuned.body().path("priority").asDouble());
    assertEquals(150.0, tuned.body().path("max_calls_per_second").asDouble());
    assertEquals(3.0, api.get("/jobs/" + jobId).body().path("priority").asDouble());
  }

  private static void assertProblem(ApiTestClient.Response response, String field) {
    assertEquals(400, response.status(), () -> String.valueOf(response.body()));
    assertEquals("application/problem+json", response.contentType());
    assertTrue(
        response.body().path("errors").findValuesAsText("field").contains(field),
        () -> "expected a problem naming " + field + ": " + response.body());
  }

  private static JsonNode patchRowBudget(double rowsPerSecond) {
    var response = api.patch("/governor", "{\"max_rows_per_second\": " + rowsPerSecond + "}");
    assertEquals(200, response.status(), () -> String.valueOf(response.body()));
    return response.body();
  }

  private static String submit(String body) {
    var response = api.post("/jobs", body);
    assertEquals(202, response.status(), () -> String.valueOf(response.body()));
    return response.body().path("job_id").asText();
  }

  private static void execute(String sql) throws SQLException {
    var primary = settings.primary();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
