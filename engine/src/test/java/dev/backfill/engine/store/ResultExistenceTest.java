package dev.backfill.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void callsAskedTogetherEachLearnWhetherTheirOwnResultExists() {
    Computation price = Computation.ofCanonical("existence", 1, Map.of("keywords", "price"));
    Computation budget = Computation.ofCanonical("existence", 1, Map.of("keywords", "budget"));
    // Every third call has this computation's result; every other call has another computation's.
    for (long call = 1; call <= 300; call++) {
      if (call % 3 == 0) {
        results.write(call, price, "{}", "job", Uuids.timeBased()).toCompletableFuture().join();
      } else if (call % 2 == 0) {
        results.write(call, budget, "{}", "job", Uuids.timeBased()).toCompletableFuture().join();
      }
    }

    long sentBefore = results.lookupsSent();
    List<CompletableFuture<Boolean>> asked = new ArrayList<>();
    LongStream.rangeClosed(1, 300).forEach(call -> asked.add(results.exists(call, price).toCompletableFuture()));

    List<Long> found = new ArrayList<>();
    for (int index = 0; index < asked.size(); index++) {
      if (asked.get(index).join()) {
        found.add(index + 1L);
      }
    }
    assertEquals(LongStream.rangeClosed(1, 100).map(third -> third * 3).boxed().toList(), found);
    long sent = results.lookupsSent() - sentBefore;
    assertTrue(sent <= 300 / 8, "300 reads asked at once went out as " + sent + " queries");
    assertEquals(0, results.lookupsHeld(), "nothing is kept once answered");
  }
}
