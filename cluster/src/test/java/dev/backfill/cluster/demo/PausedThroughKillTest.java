package dev.backfill.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.JobResults;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.stores.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A paused job stays paused when its node is killed (kill -9, a separate process) and started
 * again, and completes once resumed.
 */
@ExtendWith(RealStores.class)
class PausedThroughKillTest {

  private static final int CALLS = 1_500;
  /** The nodes are other processes: this actor system only gives the test the testkit's waits. */
  private static ActorTestKit waiting;

  @BeforeAll
  static void start() {
    // A local system of its own (not the cluster's config): nothing joins or listens.
    waiting = ActorTestKit.create("PausedThroughKillTest", ConfigFactory.parseString("pekko.actor.provider = local"));
  }

  @AfterAll
  static void stop() {
    waiting.shutdownTestKit();
  }

  @Test
  void aPausedJobStaysPausedThroughAKillAndARestartAndCompletesWhenResumed() throws Exception {
    Config environment = RealStores.freshEnvironment("paused_kill");
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 17);
    var cassandra = settings.cassandra().contactPoints().get(0);
    Endpoints stores =
        new Endpoints(
            primary.url(),
            settings.journal().url(),
            primary.user(),
            primary.password(),
            cassandra.substring(0, cassandra.lastIndexOf(':')),
            Integer.parseInt(cassandra.substring(cassandra.lastIndexOf(':') + 1)));
    Path directory = Files.createDirectories(Path.of("target", "paused-kill-" + ProcessHandle.current().pid()));

    // The child node reads its own config file, not application-test.conf, so it would run the
    // shipped live-path ratio: on a busy test machine the governor's probe mostly reads the
    // engine's own CPU and holds the job to a crawl. This test is about pausing, not the governor:
    // the same room the other tests' nodes (and demo, and chaos) get. It also keeps "paused in
    // fact" below sharp: a running job writes results at its cap, not at a crawl.
    try (ChildNodes nodes =
            ChildNodes.start(1, stores, settings.cassandra().keyspace(), directory, Demo.NO_LIVE_TRAFFIC);
        CqlSession results = CassandraSessions.withKeyspace(settings.cassandra())) {
      TestProbe<Object> waiter = waiting.createTestProbe();
      JobResults jobResults = new JobResults(results, waiter);
      ApiClient api = new ApiClient(nodes.apiUrls().get(0));
      String jobId =
          json(api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":1,\"max_calls_per_second\":60}"))
              .path("job_id")
              .asText();
      awaitStatus(waiter, api, jobId, status -> status.path("processed").asLong() > 0, "some progress");
      assertEquals("PAUSED", json(api.post("/jobs/" + jobId + "/pause", "")).path("status").asText());

      nodes.kill(0);
      nodes.restart(0);

      JsonNode afterRestart = awaitStatus(waiter, api, jobId, status -> status.has("status"), "an answer after the restart");
      assertEquals("PAUSED", afterRestart.path("status").asText(), afterRestart::toString);
      // Shown paused, and paused in fact: at its cap of 60 calls/s a running job would write
      // dozens of results a second; this one writes none.
      long whilePaused = jobResults.awaitSettled(jobId, Duration.ofMillis(1500), Duration.ofSeconds(30));
      assertTrue(whilePaused < CALLS, () -> "paused before its end, with " + whilePaused + " results");
      jobResults.assertUnchangedFor(jobId, whilePaused, Duration.ofSeconds(3));
      json(api.patch("/jobs/" + jobId, "{\"max_calls_per_second\": null}"));
      assertEquals(200, api.post("/jobs/" + jobId + "/resume", "").status());
      JsonNode done =
          awaitStatus(waiter, api, jobId, status -> status.path("status").asText().equals("COMPLETED"), "completion");
      assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong(), done::toString);
      assertEquals(0, done.path("failed").asLong());
      assertEquals(CALLS, jobResults.count(jobId), "every call's result, by this job");
    }
  }

  private static JsonNode awaitStatus(
      TestProbe<?> waiter, ApiClient api, String jobId, Predicate<JsonNode> condition, String what) {
    return waiter.awaitAssert(
        Duration.ofSeconds(120),
        Duration.ofMillis(200),
        () -> {
          ApiClient.Reply reply = api.get("/jobs/" + jobId);
          JsonNode status = reply.ok() ? ApiJson.MAPPER.readTree(reply.body()) : null;
          if (status == null || !condition.test(status)) {
            throw new AssertionError("no " + what + " yet; status " + (status == null ? reply : status));
          }
          return status;
        });
  }


  private static JsonNode json(ApiClient.Reply reply) throws Exception {
    assertTrue(reply.ok(), () -> "HTTP " + reply.status() + ": " + reply.body());
    return ApiJson.MAPPER.readTree(reply.body());
  }
}
