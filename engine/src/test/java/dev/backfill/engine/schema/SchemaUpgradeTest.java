package dev.backfill.engine.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.RealStores;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A keyspace made before results were keyed by their parameters: installing the schema over it
 * adds the new tables, leaves the old ones and their rows alone, and names them for the operator.
 */
@ExtendWith(RealStores.class)
class SchemaUpgradeTest {

  @Test
  void theOldResultTablesAreLeftAloneAndNamed() {
    EngineSettings settings = EngineSettings.create(RealStores.freshEnvironment("schema_upgrade"));
    SchemaInstaller installer = new SchemaInstaller(settings);
    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      assertEquals(List.of(), installer.installCassandra(session), "a keyspace of this version");

      // The tables as the earlier schema made them.
      session.execute(
          "CREATE TABLE results (call_id bigint, processor text, version int, result text,"
              + " job_id text, computed_at timestamp, PRIMARY KEY ((call_id), processor, version))");
      session.execute(
          "CREATE TABLE result_writes (call_id bigint, processor text, version int,"
              + " written_id timeuuid, analysis_id timeuuid, analysed_at timestamp, job_id text,"
              + " PRIMARY KEY ((call_id), processor, version, written_id))");
      session.execute(
          "INSERT INTO results (call_id, processor, version, result) VALUES (1, 'talk-ratio', 1, '{}')");

      List<String> notices = installer.installCassandra(session);

      assertEquals(2, notices.size(), notices::toString);
      String keyspace = settings.cassandra().keyspace();
      assertTrue(notices.get(0).contains("DROP TABLE " + keyspace + ".result_writes;"), notices.get(0));
      assertTrue(notices.get(0).contains("call_result_writes"), notices.get(0));
      assertTrue(notices.get(1).contains("DROP TABLE " + keyspace + ".results;"), notices.get(1));
      assertTrue(notices.get(1).contains("call_results"), notices.get(1));
      assertEquals(1, session.execute("SELECT call_id FROM results").all().size(), "old rows kept");
      assertEquals(0, session.execute("SELECT call_id FROM call_results").all().size());
    }
  }
}
