package dev.backfill.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.RealStores;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Existence reads asked together go out as one query over many partitions: each call still gets
 * its own answer, for its own computation, against a real Cassandra.
 */
@ExtendWith(RealStores.class)
class ResultExistenceTest {

  private static CqlSession session;
  private static CassandraResultStore results;

  @BeforeAll
  static void start() {
    EngineSettings settings = EngineSettings.create(RealStores.freshEnvironment("result_existence"));
    session = CassandraSessions.withKeyspace(settings.cassandra());
    results = new CassandraResultStore(session, false);
  }

  @AfterAll
  static void stop() {
    session.close();
  }

  @Test
  void callsAskedTogetherEachLearnWhetherTheirOwnResultExistsAndWhichJobWroteIt() {
    Computation price = Computation.ofCanonical("existence", 1, Map.of("keywords", "price"));
    Computation budget = Computation.ofCanonical("existence", 1, Map.of("keywords", "budget"));
    // Every third call has this computation's result, written by one of two jobs; every other
    // call has another computation's.
    for (long call = 1; call <= 300; call++) {
      if (call % 3 == 0) {
        results.write(call, price, "{}", "job-" + call % 2, Uuids.timeBased()).toCompletableFuture().join();
      } else if (call % 2 == 0) {
        results.write(call, budget, "{}", "job-budget", Uuids.timeBased()).toCompletableFuture().join();
      }
    }

    long sentBefore = results.lookupsSent();
    List<CompletableFuture<StoredResult>> asked = new ArrayList<>();
    LongStream.rangeClosed(1, 300).forEach(call -> asked.add(results.stored(call, price).toCompletableFuture()));

    List<Long> found = new ArrayList<>();
    for (int index = 0; index < asked.size(); index++) {
      long call = index + 1L;
      StoredResult stored = asked.get(index).join();
      if (stored.present()) {
        found.add(call);
        assertEquals("job-" + call % 2, stored.writtenByJob(), "call " + call);
        assertTrue(stored.isFrom("job-" + call % 2));
        assertFalse(stored.isFrom("job-" + (call + 1) % 2));
      } else {
        assertEquals(StoredResult.NONE, stored, "call " + call);
      }
    }
    assertEquals(LongStream.rangeClosed(1, 100).map(third -> third * 3).boxed().toList(), found);
    long sent = results.lookupsSent() - sentBefore;
    assertTrue(sent <= 300 / 8, "300 reads asked at once went out as " + sent + " queries");
    assertEquals(0, results.lookupsHeld(), "nothing is kept once answered");
  }

  @Test
  void aCallAskedAloneLearnsWhichJobWroteItsResult() {
    Computation price = Computation.ofCanonical("existence-alone", 1, Map.of("keywords", "price"));
    results.write(7001, price, "{}", "job-alone", Uuids.timeBased()).toCompletableFuture().join();

    assertEquals(StoredResult.by("job-alone"), results.stored(7001, price).toCompletableFuture().join());
    assertEquals(StoredResult.NONE, results.stored(7002, price).toCompletableFuture().join());
  }
}
