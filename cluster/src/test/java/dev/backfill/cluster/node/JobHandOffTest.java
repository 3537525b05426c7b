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
import dev.backfill.engine.job.JobSupervisor;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.RealStores;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A node leaves the cluster while it hosts a running job: the job drains to a checkpoint, its
 * shard moves, and it finishes on another node with every call's result exactly once.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobHandOffTest {

  private static final int CALLS = 3_000;

  @Test
  void aJobKeepsGoingWhenTheNodeHostingItLeaves() {
    Config environment =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.primary.page-size", 100,
                    "backfill.jobs.keeper-interval", "2s",
                    // "none twice" below is counted from the audit of every result write.
                    "backfill.results.audit", "on"))
            .withFallback(RealStores.freshEnvironment("hand_off"));
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 3);

    try (TestNodes nodes = TestNodes.start(3, environment)) {
      var submitted =
          nodes.api(1).post("/jobs", "{\"processor\":\"interactivity\",\"version\":1,\"max_calls_per_second\":300}");
      assertEquals(202, submitted.status(), () -> String.valueOf(submitted.body()));
      String jobId = submitted.body().path("job_id").asText();
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> {
            assertTrue(nodes.api(1).get("/jobs/" + jobId).body().path("processed").asLong() >= 300);
            return null;
          });

      int host = hostOf(nodes, jobId);
      nodes.node(host).close();
      ApiTestClient survivor = nodes.api((host + 1) % nodes.size());

      JsonNode done =
          probe.awaitAssert(
              Duration.ofSeconds(120),
              Duration.ofMillis(250),
              () -> {
                JsonNode status = survivor.get("/jobs/" + jobId).body();
                assertEquals("COMPLETED", status.path("status").asText(), status::toString);
                return status;
              });
      assertEquals(CALLS, done.path("processed").asLong() + done.path("skipped").asLong(), done::toString);
      assertEquals(0, done.path("failed").asLong());
    }

    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      long rows = 0;
      for (Row row : session.execute(SimpleStatement.newInstance("SELECT processor FROM call_results").setPageSize(5000))) {
        rows += row.getString("processor").equals("interactivity") ? 1 : 0;
      }
      assertEquals(CALLS, rows, "one result per call, none lost");
      assertEquals(
          new ResultWriteCensus.Counts(CALLS, CALLS, 0, 0),
          ResultWriteCensus.count(session, Computation.withoutParameters("interactivity", 1)),
          "none written twice, across the hand-off");
    }
  }

  /** The node whose shard region holds the job's entity right now. */
  private static int hostOf(TestNodes nodes, String jobId) {
    TestProbe<Object> waiter = TestProbe.create(nodes.node(0).system());
    return waiter.awaitAssert(
        Duration.ofSeconds(10),
        () -> {
          for (int i = 0; i < nodes.size(); i++) {
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
}
