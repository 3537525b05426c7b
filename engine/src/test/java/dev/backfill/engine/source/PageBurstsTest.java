package dev.backfill.engine.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import dev.backfill.engine.testing.PrimaryRows;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Page queries read their rows from a cursor in bursts sized to the primary's cost per row, and
 * leave no transaction open behind them, against the real primary.
 */
@ExtendWith(RealStores.class)
class PageBurstsTest {

  private static final int CALLS = 30;
  private static final int PAGE_SIZE = 10;
  private static final JobSpec EVERY_CALL = new JobSpec("talk-ratio", 1, null, null, null, Map.of());

  /**
   * Calls with transcripts of about 200 KB, in an id range of their own: rows whose cost on the
   * primary (detoasting, jsonb to text) is well above a query's fixed cost.
   */
  private static final long LARGE_FIRST = 1_001;

  private static final long LARGE_LAST = 1_010;

  private static PrimarySettings primary;
  private static ExecutorService jdbc;

  @BeforeAll
  static void seed() {
    Config config =
        ConfigFactory.parseMap(Map.of("backfill.primary.page-size", PAGE_SIZE))
            .withFallback(RealStores.freshEnvironment("page_bursts"));
    primary = EngineSettings.create(config).primary();
    PrimaryRows.insert(primary.url(), LongStream.rangeClosed(1, CALLS).mapToObj(TestTranscripts::simpleCall).toList());
    PrimaryRows.insert(
        primary.url(),
        LongStream.rangeClosed(LARGE_FIRST, LARGE_LAST).mapToObj(PageBurstsTest::largeCall).toList());
    walkThePrimaryKeyAsOnABigTable();
    jdbc = Executors.newFixedThreadPool(2);
  }

  @AfterAll
  static void stop() {
    jdbc.shutdownNow();
  }

  @Test
  void aPageWhoseRowsCostMoreThanTheTargetIsFetchedOneRowPerBurst() {
    try (PrimaryConnections connections = new PrimaryConnections(withBurstMillis(0.000_001), Duration.ofSeconds(5))) {
      PrimaryCallSource source = new PrimaryCallSource(withBurstMillis(0.000_001), jdbc, connections);

      Page page = source.page(EVERY_CALL, 0, CALLS, 0, PAGE_SIZE).toCompletableFuture().join();

      assertEquals(ids(1, PAGE_SIZE), idsOf(page), "the page's rows, in id order, whatever the bursts");
      assertEquals(1, source.burstRows());
      // Each row came in a fetch of its own, with its own start on the primary's clock: read in
      // one go, the page would have been one burst.
      assertEquals(PAGE_SIZE, source.burstsFetched());
    }
  }

  @Test
  void aPageOfCheapRowsIsFetchedInBurstsOfAsManyAsFitTheTarget() {
    try (PrimaryConnections connections = new PrimaryConnections(withBurstMillis(10_000), Duration.ofSeconds(5))) {
      PrimaryCallSource source = new PrimaryCallSource(withBurstMillis(10_000), jdbc, connections);
      assertEquals(1, source.burstRows(), "before any page is measured, one row at a time");

      Page first = source.page(EVERY_CALL, 0, CALLS, 0, PAGE_SIZE).toCompletableFuture().join();
      Page second = source.page(EVERY_CALL, PAGE_SIZE, CALLS, 0, PAGE_SIZE).toCompletableFuture().join();

      assertEquals(ids(1, 2 * PAGE_SIZE), concat(idsOf(first), idsOf(second)));
      assertEquals(PAGE_SIZE, source.burstRows(), "rows far below the target: a whole page per burst");
      assertEquals(PAGE_SIZE + 1, source.burstsFetched(), "the first page row by row, the second in one burst");
    }
  }

  @Test
  void aPageCostsThePrimaryAboutTheSameReadRowByRowAsInOneBurst() {
    try (PrimaryConnections rowByRow = new PrimaryConnections(withBurstMillis(0.000_001), Duration.ofSeconds(30));
        PrimaryConnections oneBurst = new PrimaryConnections(withBurstMillis(10_000), Duration.ofSeconds(30))) {
      PrimaryCallSource byRow = new PrimaryCallSource(withBurstMillis(0.000_001), jdbc, rowByRow);
      PrimaryCallSource byPage = new PrimaryCallSource(withBurstMillis(10_000), jdbc, oneBurst);
      int rows = (int) (LARGE_LAST - LARGE_FIRST + 1);

      // The first read of each measures the cost per row (one row per burst until then).
      largePage(byRow, rows);
      largePage(byPage, rows);
      long rowByRowMicros = Long.MAX_VALUE;
      long oneBurstMicros = Long.MAX_VALUE;
      for (int read = 0; read < 3; read++) {
        rowByRowMicros = Math.min(rowByRowMicros, largePage(byRow, rows).queryMicros());
        oneBurstMicros = Math.min(oneBurstMicros, largePage(byPage, rows).queryMicros());
      }

      // The cost is the primary's work, all of it (every burst's), and not the time its backend
      // waited for this node between bursts.
      assertEquals(1, byRow.burstRows());
      assertEquals(rows, byPage.burstRows());
      double ratio = (double) rowByRowMicros / Math.max(1, oneBurstMicros);
      assertTrue(
          ratio > 0.33 && ratio < 3,
          "row by row " + rowByRowMicros + " us, in one burst " + oneBurstMicros + " us");
    }
  }

  @Test
  void aPageLeavesNoTransactionOpenOnThePrimary() throws SQLException {
    try (PrimaryConnections connections = new PrimaryConnections(withBurstMillis(0.000_001), Duration.ofSeconds(30))) {
      PrimaryCallSource source = new PrimaryCallSource(withBurstMillis(0.000_001), jdbc, connections);

      source.page(EVERY_CALL, 0, CALLS, 0, PAGE_SIZE).toCompletableFuture().join();

      // The cursor needs a transaction; one left open would hold back vacuum on the primary for as
      // long as the connection stays leased.
      List<String> states = enginesBackendStates();
      assertTrue(states.contains("idle"), "the page's connection is still open: " + states);
      assertFalse(states.contains("idle in transaction"), states.toString());
    }
  }

  @Test
  void aPageWhoseNodeStopsAskingIsEndedByThePrimary() throws SQLException {
    try (PrimaryConnections connections = new PrimaryConnections(primary, Duration.ofSeconds(30))) {
      String timeout =
          connections.withConnection(
              0,
              connection -> {
                try (Statement show = connection.createStatement();
                    ResultSet row = show.executeQuery("SHOW idle_in_transaction_session_timeout")) {
                  row.next();
                  return row.getString(1);
                }
              });

      // Between bursts the page waits in a transaction, where statement_timeout does not run.
      assertEquals(primary.queryTimeout().toSeconds() + "s", timeout);
    }
  }

  private static PrimarySettings withBurstMillis(double millis) {
    return new PrimarySettings(
        primary.url(), primary.user(), primary.password(), primary.applicationName(), primary.pageSize(), millis,
        primary.queryTimeout());
  }

  /**
   * This test's database plans as a big table is planned: walking the primary key row by row (a
   * table this small would be sorted first, all its rows in the first burst).
   */
  private static void walkThePrimaryKeyAsOnABigTable() {
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        Statement statement = connection.createStatement()) {
      String database = primary.url().substring(primary.url().lastIndexOf('/') + 1);
      for (String setting : List.of("enable_sort", "enable_bitmapscan", "enable_seqscan")) {
        statement.execute("ALTER DATABASE " + database + " SET " + setting + " = off");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot set the test database's planner settings", e);
    }
  }

  private static List<String> enginesBackendStates() throws SQLException {
    try (Connection connection = DriverManager.getConnection(primary.url(), primary.user(), primary.password());
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT state FROM pg_stat_activity WHERE application_name = ? AND datname = current_database()")) {
      query.setString(1, primary.applicationName());
      List<String> states = new ArrayList<>();
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) {
          states.add(rows.getString(1));
        }
      }
      return states;
    }
  }

  private static Page largePage(PrimaryCallSource source, int rows) {
    Page page = source.page(EVERY_CALL, LARGE_FIRST - 1, LARGE_LAST, 0, rows).toCompletableFuture().join();
    assertEquals(ids(LARGE_FIRST, LARGE_LAST), idsOf(page));
    return page;
  }

  /** About 200 KB of transcript: 1,000 utterances of some 200 characters. */
  private static CallRow largeCall(long id) {
    StringBuilder json = new StringBuilder("{\"utterances\":[");
    for (int i = 0; i < 1_000; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"speaker\":\"")
          .append(i % 2 == 0 ? "ann" : "bob")
          .append("\",\"role\":\"")
          .append(i % 2 == 0 ? "rep" : "customer")
          .append("\",\"start_ms\":")
          .append(i * 5_000)
          .append(",\"end_ms\":")
          .append(i * 5_000 + 4_000)
          .append(",\"text\":\"")
          .append(("utterance " + id + "-" + i + " about pricing " + (id * 7_919 + i * 104_729) % 1_000_003 + " ").repeat(5))
          .append("\"}");
    }
    json.append("]}");
    return new CallRow(id, "acme", 1_700_000_000_000L, 500, "phone", json.toString());
  }

  private static List<Long> idsOf(Page page) {
    return page.calls().stream().map(CallRow::id).toList();
  }

  private static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  private static List<Long> concat(List<Long> a, List<Long> b) {
    List<Long> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
