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
 * A page query never scans the table: on a primary with many tenants, a job for a small tenant
 * walks the (tenant, id) index in id order instead of wading through every other tenant's calls
 * (a long burst on the primary for a few rows), and a big tenant's pages walk the primary key,
 * filtering out a few other rows per page. Checked with the primary's own planner.
 */
@ExtendWith(RealStores.class)
class PageQueryPlanTest {

  /** Calls in the table (ids 1 to CALLS), before the small tenant's. */
  private static final int CALLS = 20_000;
  /**
   * Calls made by the seeder, ids 1 to SEEDED; the rest of the table is copies of them (see
   * {@link #seed}). Enough for every tenant of the seeder's skewed mix to be there in proportion
   * (the smallest holds about 1.4% of calls, some 28 of these).
   */
  private static final int SEEDED = 2_000;
  /** A tenant with a handful of calls among 20,000: 0.1%. */
  private static final String SMALL_TENANT = "small-tenant";
  private static EngineSettings settings;

  /**
   * The planner's choices depend on the table's size (rows and pages), the share of each tenant
   * and the order of ids on disk, not on each call being different: seeding 20,000 distinct calls
   * took most of this class's time. So SEEDED real calls are copied, whole (their transcripts
   * too, so rows are as wide and as often TOASTed as seeded ones), under ids SEEDED apart until
   * the table holds CALLS, inserted in id order: the same rows and pages as 20,000 seeded calls,
   * every tenant's share kept (each copy has the same mix), and ids as correlated with the
   * physical order. ANALYZE then reads the same statistics a seeded table would give, but for
   * start times, each of which now comes ten times: the date-range case's estimate is a range of
   * the histogram, which repeats hardly move, and the plans asserted are chosen for the tenant's
   * rarity or the primary key's order, not for the dates. EXPLAIN only estimates, and the planner
   * keeps no statistics across columns, so which dates the small tenant's copied rows have does
   * not enter its choice.
   */
  @BeforeAll
  static void seed() throws SQLException {
    settings = EngineSettings.create(RealStores.freshEnvironment("page_plan"));
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, SEEDED, 3);
    try (Connection connection = connect(); Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO calls (id, tenant, started_at, duration_s, source, transcript)"
              + " SELECT c.id + k.n * " + SEEDED + ", c.tenant, c.started_at, c.duration_s, c.source, c.transcript"
              + " FROM generate_series(1, " + (CALLS / SEEDED - 1) + ") AS k(n) CROSS JOIN calls c"
              + " ORDER BY k.n, c.id");
      statement.execute(
          "INSERT INTO calls (id, tenant, started_at, duration_s, source, transcript)"
              + " SELECT id + " + CALLS + ", '" + SMALL_TENANT + "', started_at, duration_s, source, transcript"
              + " FROM calls WHERE id % 1000 = 0");
      statement.execute("ANALYZE calls");
    }
  }

  @Test
  void aSmallTenantsPagesUseTheTenantIndex() throws SQLException {
    String plan = plan(new JobSpec("talk-ratio", 1, SMALL_TENANT, null, null, Map.of()), null, null);
    assertTrue(plan.contains("calls_tenant_id_idx"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
  }

  @Test
  void aSmallTenantAndADateRangeStillUseTheTenantIndex() throws SQLException {
    Instant from = Instant.parse("2025-03-01T00:00:00Z");
    Instant to = Instant.parse("2025-04-01T00:00:00Z");
    String plan = plan(new JobSpec("talk-ratio", 1, SMALL_TENANT, from, to, Map.of()), from, to);
    assertTrue(plan.contains("calls_tenant_id_idx"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
  }

  @Test
  void aBigTenantsPagesUseAnIndexAndNeverScan() throws SQLException {
    String plan = plan(new JobSpec("talk-ratio", 1, "contoso", null, null, Map.of()), null, null);
    assertTrue(plan.contains("Index Scan"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
    // Row by row, so that a page read in bursts costs the primary one row per burst, not all first.
    assertFalse(plan.contains("Sort"), plan);
  }

  @Test
  void noFilterWalksThePrimaryKey() throws SQLException {
    String plan = plan(new JobSpec("talk-ratio", 1, null, null, null, Map.of()), null, null);
    assertTrue(plan.contains("calls_pkey"), plan);
    assertFalse(plan.contains("Seq Scan"), plan);
    assertFalse(plan.contains("Sort"), plan);
  }

  /** The plan of the page query as the engine sends it, for a page in the middle of the table. */
  private static String plan(JobSpec spec, Instant from, Instant to) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement explain = connection.prepareStatement("EXPLAIN " + PrimaryCallSource.pageSql(spec))) {
      int index = 1;
      explain.setLong(index++, CALLS / 2);
      explain.setLong(index++, 2L * CALLS); // the end of a scope over the whole table
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
