package dev.backfill.engine.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus.Counts;
import dev.backfill.engine.testing.RealStores;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The result audit can say "twice": the real writer against a real Cassandra writes a call once,
 * then again on purpose, and the census counts it, where the results table still shows one row.
 * Each test writes under its own processor name, so the tests share a keyspace without sharing
 * counts.
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

    assertEquals(new Counts(1, 1, 0, 0), ResultWriteCensus.count(session, "audit-once", 1));
  }

  @Test
  void aCallAnalysedAndWrittenTwiceCountsAsOneDuplicateAndOneRedone() {
    write(audited, 1, "audit-twice", Uuids.timeBased());
    write(audited, 2, "audit-twice", Uuids.timeBased());
    write(audited, 1, "audit-twice", Uuids.timeBased());

    assertEquals(new Counts(2, 3, 1, 1), ResultWriteCensus.count(session, "audit-twice", 1));
    assertEquals(new Counts(1, 2, 1, 1), ResultWriteCensus.countCall(session, 1, "audit-twice", 1));
    // What the old check counted: the results table overwrote its row and cannot tell.
    assertEquals(1, resultRows(1, "audit-twice"));
  }

  @Test
  void oneAnalysisWrittenTwiceIsADuplicateButNotRedone() {
    UUID analysis = Uuids.timeBased();
    write(audited, 1, "audit-rewrite", analysis);
    write(audited, 1, "audit-rewrite", analysis);

    assertEquals(new Counts(1, 2, 1, 0), ResultWriteCensus.count(session, "audit-rewrite", 1));
  }

  @Test
  void withTheAuditOffNothingIsAppended() {
    write(new CassandraResultStore(session, false), 1, "audit-off", Uuids.timeBased());

    assertEquals(new Counts(0, 0, 0, 0), ResultWriteCensus.count(session, "audit-off", 1));
    assertEquals(1, resultRows(1, "audit-off"));
  }

  private static void write(CassandraResultStore store, long callId, String processor, UUID analysis) {
    store.write(callId, processor, 1, "{}", "job", analysis).toCompletableFuture().join();
  }

  private static int resultRows(long callId, String processor) {
    return session
        .execute("SELECT call_id FROM results WHERE call_id = ? AND processor = ?", callId, processor)
        .all()
        .size();
  }
}
