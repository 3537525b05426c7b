package dev.backfill.cluster.node;

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
import dev.backfill.engine.job.JobEvent;
import dev.backfill.engine.job.JobSupervisor;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.RealStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node leaves the cluster while it hosts a running job: the job drains to a checkpoint, its
 * shard moves, and the shard starts it again on another node by itself (sharding remembers it):
 * no keeper scan runs, and nothing asks the job anything from the moment its node leaves until
 * the journal holds its completion. It finishes with every call's result exactly once, and once
 * finished it is forgotten: no shard runs it, remembers it or is about to restart it. Then its
 * failed calls are re-driven, and the node running the retry leaves too: the retry goes on and
 * completes the same way.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobHandOffTest {

  private static final int CALLS = 1_500;
  /** Every tenth call has a broken transcript in the first run: it fails, and is re-driven once fixed. */
  private static final int MALFORMED = CALLS / 10;
  /**
   * The first run's cap. Its node leaves once a tenth of the calls are processed, so at the cap the
   * job has at least 9 s of calls left to outlast the leaving, the hand-off and its restart on
   * another node (as with 3,000 calls at 300 calls/s before).
   */
  private static final int FIRST_RUN_CALLS_PER_SECOND = 150;
  /** The retry's cap: the failed calls take about 15 s, so that it is still running when its node leaves. */
  private static final int RETRY_CALLS_PER_SECOND = 10;

  @Test
  void aJobAndItsRetryOfFailedCallsKeepGoingWhenTheNodesRunningThemLeave() throws SQLException {
    Config environment =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.primary.page-size", 100,
                    // The keeper wakes the journaled jobs once, at the start (none here); should
                    // anything fail to answer it, not again within this test.
                    "backfill.jobs.keeper-interval", "1h",
                    // "none twice" below is counted from the audit of every result write.
                    "backfill.results.audit", "on"))
            .withFallback(RealStores.freshEnvironment("hand_off"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 3);
    primarySql(
        settings,
        "CREATE TABLE originals AS SELECT id, transcript FROM calls WHERE id % 10 = 0",
        "UPDATE calls SET transcript = jsonb_set(transcript, '{utterances,0,role}', 'null') WHERE id % 10 = 0");

    String jobId;
    try (TestNodes nodes = TestNodes.start(3, environment)) {
      List<Integer> live = new ArrayList<>(List.of(0, 1, 2));
      var submitted =
          nodes
              .api(1)
              .post(
                  "/jobs",
                  "{\"processor\":\"interactivity\",\"version\":1,\"max_calls_per_second\":"
                      + FIRST_RUN_CALLS_PER_SECOND
                      + "}");
      assertEquals(202, submitted.status(), () -> String.valueOf(submitted.body()));
      jobId = submitted.body().path("job_id").asText();
      String job = "/jobs/" + jobId;
      waiter(nodes, live)
          .awaitAssert(
              Duration.ofSeconds(60),
              Duration.ofMillis(200),
              () -> {
                assertTrue(nodes.api(1).get(job).body().path("processed").asLong() >= CALLS / 10);
                return null;
              });

      leave(nodes, live, jobId);
      assertEquals(0, completions(settings, jobId), "the job was still running when its node left");
      awaitCompletions(nodes, live, settings, jobId, 1);
      awaitNoJobInAnyShard(nodes, live);

      ApiTestClient api = nodes.api(live.get(0));
      JsonNode first = api.get(job).body();
      assertEquals("COMPLETED", first.path("status").asText(), first::toString);
      assertEquals(MALFORMED, first.path("failed").asLong(), first::toString);
      assertEquals(CALLS - MALFORMED, first.path("processed").asLong() + first.path("skipped").asLong(), first::toString);

      primarySql(settings, "UPDATE calls c SET transcript = o.transcript FROM originals o WHERE c.id = o.id");
      var retried = api.post(job + "/retry-failed", "");
      assertEquals(200, retried.status(), () -> String.valueOf(retried.body()));
      // Slow (see RETRY_CALLS_PER_SECOND), so that it is still running when its node leaves.
      var slowed = api.patch(job, "{\"max_calls_per_second\":" + RETRY_CALLS_PER_SECOND + "}");
      assertEquals(200, slowed.status(), () -> String.valueOf(slowed.body()));
      JsonNode retrying =
          waiter(nodes, live)
              .awaitAssert(
                  Duration.ofSeconds(60),
                  Duration.ofMillis(200),
                  () -> {
                    JsonNode status = api.get(job).body();
                    // Held back to its cap by the governor, it says THROTTLED.
                    assertTrue(Set.of("RUNNING", "THROTTLED").contains(status.path("status").asText()), status::toString);
                    assertTrue(
                        status.path("processed").asLong() + status.path("skipped").asLong() > CALLS - MALFORMED,
                        status::toString);
                    return status;
                  });
      assertTrue(retrying.path("failed").asLong() > 0, () -> "still re-driving: " + retrying);

      leave(nodes, live, jobId);
      assertEquals(1, completions(settings, jobId), "the retry was still running when its node left");
      awaitCompletions(nodes, live, settings, jobId, 2);
      awaitNoJobInAnyShard(nodes, live);

      JsonNode second = nodes.api(live.get(0)).get(job).body();
      assertEquals("COMPLETED", second.path("status").asText(), second::toString);
      assertEquals(
          CALLS,
          second.path("processed").asLong() + second.path("skipped").asLong() + second.path("failed").asLong(),
          second::toString);
    }

    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      long rows = 0;
      for (Row row : session.execute(SimpleStatement.newInstance("SELECT processor FROM call_results").setPageSize(5000))) {
        rows += row.getString("processor").equals("interactivity") ? 1 : 0;
      }
      assertEquals(CALLS, rows, "one result per call, none lost, the re-driven ones included");
      assertEquals(
          new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
          ResultWriteCensus.count(session, Computation.withoutParameters("interactivity", 1)),
          "none written twice, across both hand-offs");
      long failed = 0;
      for (Row row : session.execute("SELECT status FROM ledger WHERE job_id = ? AND bucket = 0", jobId)) {
        failed += row.getString("status").equals("FAILED") ? 1 : 0;
      }
      assertEquals(0, failed, "every re-driven call ended done");
    }
  }

  /**
   * The node hosting the job leaves the cluster (through coordinated shutdown: its jobs drain to a
   * checkpoint first) and is taken out of {@code live}.
   */
  private static void leave(TestNodes nodes, List<Integer> live, String jobId) {
    int host = hostOf(nodes, live, jobId);
    nodes.node(host).close();
    live.remove(Integer.valueOf(host));
  }

  /** The live node whose shard region holds the job's entity right now. */
  private static int hostOf(TestNodes nodes, List<Integer> live, String jobId) {
    return waiter(nodes, live)
        .awaitAssert(
            Duration.ofSeconds(10),
            () -> {
              for (int i : live) {
                var system = nodes.node(i).system();
                TestProbe<ShardRegion.CurrentShardRegionState> state = TestProbe.create(system);
                ClusterSharding.get(system)
                    .shardState()
                    .tell(new GetShardRegionState(JobSupervisor.ENTITY_TYPE_KEY, state.getRef()));
                boolean hosts =
                    state.receiveMessage(Duration.ofSeconds(5)).getShards().stream()
                        .anyMatch(shard -> shard.getEntityIds().contains(jobId));
                if (hosts) {
                  return i;
                }
              }
              throw new AssertionError("no node hosts job " + jobId + " yet");
            });
  }

  /**
   * Waits until the journal holds the job's {@code expected}-th completion, read from the journal's
   * table: asking the job for its status would start it, which is what must happen without asking.
   */
  private static void awaitCompletions(
      TestNodes nodes, List<Integer> live, EngineSettings settings, String jobId, int expected) {
    waiter(nodes, live)
        .awaitAssert(
            Duration.ofSeconds(120),
            Duration.ofMillis(250),
            () -> {
              assertEquals(expected, completions(settings, jobId));
              return null;
            });
  }

  private static int completions(EngineSettings settings, String jobId) {
    var journal = settings.journal();
    try (Connection connection = DriverManager.getConnection(journal.url(), journal.user(), journal.password());
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ? AND event_ser_manifest LIKE ?")) {
      statement.setString(1, JobSupervisor.ENTITY_TYPE_KEY.name() + "|" + jobId);
      statement.setString(2, JobEvent.JobCompleted.class.getName() + "%");
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    } catch (SQLException e) {
      throw new AssertionError("cannot read the journal: " + e.getMessage(), e);
    }
  }

  /**
   * No shard of any live node holds a job entity: none runs, none is remembered to be started and
   * none waits to be restarted (a shard's entity count covers all three), so the finished job was
   * let go and its shard forgot it.
   */
  private static void awaitNoJobInAnyShard(TestNodes nodes, List<Integer> live) {
    var system = nodes.node(live.get(0)).system();
    waiter(nodes, live)
        .awaitAssert(
            Duration.ofSeconds(30),
            Duration.ofMillis(250),
            () -> {
              TestProbe<ShardRegion.ClusterShardingStats> stats = TestProbe.create(system);
              ClusterSharding.get(system)
                  .shardState()
                  .tell(new GetClusterShardingStats(JobSupervisor.ENTITY_TYPE_KEY, Duration.ofSeconds(3), stats.getRef()));
              Map<org.apache.pekko.actor.Address, ShardRegion.ShardRegionStats> regions =
                  stats.receiveMessage(Duration.ofSeconds(10)).getRegions();
              assertEquals(live.size(), regions.size(), () -> "every live node's region answers: " + regions);
              long jobs = 0;
              for (ShardRegion.ShardRegionStats region : regions.values()) {
                assertTrue(region.getFailed().isEmpty(), () -> "shards that did not answer: " + region.getFailed());
                for (Object count : region.getStats().values()) {
                  jobs += ((Number) count).longValue();
                }
              }
              assertEquals(0, jobs, () -> "job entities per shard: " + regions);
              return null;
            });
  }

  private static TestProbe<Object> waiter(TestNodes nodes, List<Integer> live) {
    return TestProbe.create(nodes.node(live.get(0)).system());
  }

  private static void primarySql(EngineSettings settings, String... statements) throws SQLException {
    var primary = settings.primary();
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }
}
