package dev.backfill.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.stores.Endpoints;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Separate processes and kill -9, as in production: three nodes, each its own JVM (the fewest
 * where a majority survives a kill); the node running the job is killed in the middle, and
 * started again only once the job went on without it. The job completes, every call has exactly
 * one result (written once, counted from the result audit, which chaos turns on) and one ledger
 * entry, and no more calls are redone than one checkpoint window.
 *
 * <p>Store outages are left to {@code ./backfill chaos --store-outages} (a minute and more of
 * Cassandra starting again); PrimaryOutageTest and StoreOutageTest stop each store under a job.
 * So the nodes run on the test run's shared stores, in databases and a keyspace of their own,
 * instead of starting stores as the chaos command does (half a minute of the suite).
 */
@ExtendWith(RealStores.class)
class ChaosTest {

  private static final int CALLS = 3_000;

  @Test
  void killingTheNodeThatRunsTheJobLosesNothingAndDuplicatesNothing() throws Exception {
    Path directory = Path.of("target", "chaos-test-" + ProcessHandle.current().pid());

    Config environment = RealStores.freshEnvironment("chaos");
    Endpoints shared = RealStores.endpoints();
    Endpoints own =
        new Endpoints(
            environment.getString("backfill.primary.url"),
            environment.getString("backfill.journal.url"),
            shared.user(),
            shared.password(),
            shared.cassandraHost(),
            shared.cassandraPort());

    Chaos.Result result =
        new Chaos(new Chaos.Options(CALLS, 3, 1, false, false, 3, false, directory))
            .runOn(own, environment.getString("backfill.cassandra.keyspace"));

    var figures = result.figures();
    assertEquals("COMPLETED", figures.get("status"), figures::toString);
    assertEquals(1, figures.get("kills"), figures::toString);
    @SuppressWarnings("unchecked")
    List<Chaos.Kill> kills = (List<Chaos.Kill>) figures.get("kill_log");
    Chaos.Kill kill = kills.get(0);
    // The node killed was the one the job said it ran on just before the kill.
    assertNotNull(kill.hostedBy(), figures::toString);
    assertEquals(kill.address(), kill.hostedBy(), figures::toString);
    assertTrue(kill.hostedJob(), figures::toString);
    // The job went on by itself (failure detection, downing, and its shard, placed on another
    // node, starting the job it remembers), not because the killed node came back.
    assertFalse(kill.restartedFirst(), figures::toString);
    assertTrue(kill.recoveryMs() > 0, figures::toString);
    assertEquals(0L, figures.get("missing"), figures::toString);
    assertEquals(0L, figures.get("duplicates"), figures::toString);
    assertEquals(0L, figures.get("ledger_missing"), figures::toString);
    assertEquals(0L, figures.get("ledger_duplicates"), figures::toString);
    assertEquals((long) CALLS, figures.get("results_in_cassandra"), figures::toString);
    assertEquals(0L, figures.get("redone"), figures::toString);
    assertEquals(0L, figures.get("unaudited"), figures::toString);
    // The calls after the last checkpoint are asked again after the kill and found done by this
    // job (the result it wrote), not skipped as another job's work: on fresh data, none skipped.
    assertEquals(0L, figures.get("skipped"), figures::toString);
    assertTrue(result.sound());
  }
}
