package dev.backfill.cluster.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.protocol.job.JobSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A page query reads only what it returns: on a primary with many tenants, a job for one tenant
 * walks the (tenant, id) index in id order instead of scanning the calls of every tenant, which
 * would be a long burst on the primary for a few rows. Checked with the primary's own planner.
 */
@ExtendWith(RealStores.class)
class PageQueryPlanTest {

  private static final int CALLS = 20_000;
  private static EngineSettings settings;

  @BeforeAll
  static void seed() throws SQLException {
    settings = EngineSettings.create(RealStores.freshEnvironment("page_plan"));
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 3);
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute("ANALYZE calls");
    }
  }

  @Test
  void aTenantsPagesWalkTheTenantIndexInIdOrder() throws SQLException {
    String plan = plan(new JobSpec("talk-ratio", 1, "contoso", null, null, Map.of()), null, null);
    assertTrue(plan.contains("calls_tenant_id_idx"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
    assertFalse(plan.contains("Sort"), "rows come in id order from the index, no sort: " + plan);
  }

  @Test
  void aTenantAndADateRangeStillWalkTheTenantIndex() throws SQLException {
    Instant from = Instant.parse("2025-03-01T00:00:00Z");
    Instant to = Instant.parse("2025-04-01T00:00:00Z");
    String plan = plan(new JobSpec("talk-ratio", 1, "contoso", from, to, Map.of()), from, to);
    assertTrue(plan.contains("calls_tenant_id_idx"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
  }

  @Test
  void noFilterWalksThePrimaryKey() throws SQLException {
    String plan = plan(new JobSpec("talk-ratio", 1, null, null, null, Map.of()), null, null);
    assertTrue(plan.contains("calls_pkey"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
  }

  /** The plan of the page query as the engine sends it, for a page in the middle of the table. */
  private static String plan(JobSpec spec, Instant from, Instant to) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement explain = connection.prepareStatement("EXPLAIN " + PrimaryCallSource.pageSql(spec))) {
      int index = 1;
      explain.setLong(index++, CALLS / 2);
      if (spec.tenant() != null) {
        explain.setString(index++, spec.tenant());
      }
      if (from != null) {
        explain.setTimestamp(index++, Timestamp.from(from));
      }
      if (to != null) {
        explain.setTimestamp(index++, Timestamp.from(to));
      }
      explain.setInt(index, 20);
      StringBuilder plan = new StringBuilder();
      try (ResultSet rows = explain.executeQuery()) {
        while (rows.next()) {
          plan.append(rows.getString(1)).append('\n');
        }
      }
      return plan.toString();
    }
  }

  private static Connection connect() throws SQLException {
    var primary = settings.primary();
    return DriverManager.getConnection(primary.url(), primary.user(), primary.password());
  }
}
