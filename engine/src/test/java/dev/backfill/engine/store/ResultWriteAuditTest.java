package dev.backfill.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus.Counts;
import dev.backfill.engine.testing.RealStores;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The result audit can say "twice": the real writer against a real Cassandra writes a call once,
 * then again on purpose, and the census counts it, where the results table still shows one row.
 * Each test writes under its own processor name, so the tests share a keyspace without sharing
 * counts. Writes are counted per computation: other parameters are another one.
 */
@ExtendWith(RealStores.class)
class ResultWriteAuditTest {

  private static CqlSession session;
  private static CassandraResultStore audited;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseString("backfill.results.audit = on")
            .withFallback(RealStores.freshEnvironment("result_audit"));
    EngineSettings settings = EngineSettings.create(config);
    session = CassandraSessions.withKeyspace(settings.cassandra());
    audited = new CassandraResultStore(session, settings.results().audit());
  }

  @AfterAll
  static void stop() {
    session.close();
  }

  @Test
  void aCallWrittenOnceIsNeitherDuplicatedNorRedone() {
    write(audited, 1, "audit-once", Uuids.timeBased());

    assertEquals(new Counts(1, 1, 0, 0), ResultWriteCensus.count(session, computation("audit-once")));
  }

  @Test
  void aCallAnalysedAndWrittenTwiceCountsAsOneDuplicateAndOneRedone() {
    write(audited, 1, "audit-twice", Uuids.timeBased());
    write(audited, 2, "audit-twice", Uuids.timeBased());
    write(audited, 1, "audit-twice", Uuids.timeBased());

    assertEquals(new Counts(2, 3, 1, 1), ResultWriteCensus.count(session, computation("audit-twice")));
    assertEquals(
        new Counts(1, 2, 1, 1), ResultWriteCensus.countCall(session, 1, computation("audit-twice")));
    // What the old check counted: the results table overwrote its row and cannot tell.
    assertEquals(1, resultRows(1, "audit-twice"));
  }

  @Test
  void oneAnalysisWrittenTwiceIsADuplicateButNotRedone() {
    UUID analysis = Uuids.timeBased();
    write(audited, 1, "audit-rewrite", analysis);
    write(audited, 1, "audit-rewrite", analysis);

    assertEquals(new Counts(1, 2, 1, 0), ResultWriteCensus.count(session, computation("audit-rewrite")));
  }

  @Test
  void withTheAuditOffNothingIsAppended() {
    write(new CassandraResultStore(session, false), 1, "audit-off", Uuids.timeBased());

    assertEquals(new Counts(0, 0, 0, 0), ResultWriteCensus.count(session, computation("audit-off")));
    assertEquals(1, resultRows(1, "audit-off"));
  }

  @Test
  void otherParametersAreAnotherComputationWithAResultAndACountOfTheirOwn() {
    Computation price = Computation.ofCanonical("audit-parameters", 1, Map.of("keywords", "price"));
    Computation budget = Computation.ofCanonical("audit-parameters", 1, Map.of("keywords", "budget"));
    write(audited, 1, price, "{\"price\":1}", Uuids.timeBased());
    write(audited, 1, budget, "{\"budget\":2}", Uuids.timeBased());

    assertEquals(new Counts(1, 1, 0, 0), ResultWriteCensus.count(session, price));
    assertEquals(new Counts(1, 1, 0, 0), ResultWriteCensus.countCall(session, 1, budget));
    assertEquals(2, resultRows(1, "audit-parameters"), "one row per parameters, neither overwritten");
    assertTrue(audited.stored(1, price).toCompletableFuture().join().present());
    assertFalse(
        audited
            .stored(1, Computation.ofCanonical("audit-parameters", 1, Map.of("keywords", "pricing")))
            .toCompletableFuture()
            .join()
            .present(),
        "a result of other parameters is not this computation's");
    Row row =
        session
            .execute(
                "SELECT parameters, result FROM call_results"
                    + " WHERE call_id = 1 AND processor = ? AND version = 1 AND parameters_hash = ?",
                "audit-parameters",
                budget.parametersHash())
            .one();
    assertEquals("{\"keywords\":\"budget\"}", row.getString("parameters"), "stored with the result");
    assertEquals("{\"budget\":2}", row.getString("result"));
  }

  private static Computation computation(String processor) {
    return Computation.withoutParameters(processor, 1);
  }

  private static void write(CassandraResultStore store, long callId, String processor, UUID analysis) {
    write(store, callId, computation(processor), "{}", analysis);
  }

  private static void write(
      CassandraResultStore store, long callId, Computation computation, String result, UUID analysis) {
    store.write(callId, computation, result, "job", analysis).toCompletableFuture().join();
  }

  private static int resultRows(long callId, String processor) {
    return session
        .execute("SELECT call_id FROM call_results WHERE call_id = ? AND processor = ?", callId, processor)
        .all()
        .size();
  }
}
