package dev.backfill.engine.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

  private static PrimarySettings primary;
  private static ExecutorService jdbc;

  @BeforeAll
  static void seed() {
    Config config =
        ConfigFactory.parseMap(Map.of("backfill.primary.page-size", PAGE_SIZE))
            .withFallback(RealStores.freshEnvironment("page_bursts"));
    primary = EngineSettings.create(config).primary();
    PrimaryRows.insert(primary.url(), LongStream.rangeClosed(1, CALLS).mapToObj(TestTranscripts::simpleCall).toList());
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
    }
  }

  @Test
  void aPageLeavesNoTransactionOpenOnThePrimary() throws SQLException {
    try (PrimaryConnections connections = new PrimaryConnections(withBurstMillis(0.000_001), Duration.ofSeconds(30))) {
      PrimaryCallSource source = new PrimaryCallSource(withBurstMillis(0.000_001), jdbc, connections);

      source.page(EVERY_CALL, 0, CALLS, 0, PAGE_SIZE).toCompletableFuture().join();

      // The cursor needs a transaction; one left open would hold back vacuum on the primary for as
      // long as the connection stays leased.
      assertEquals(List.of("idle"), enginesBackendStates());
    }
  }

  private static PrimarySettings withBurstMillis(double millis) {
    return new PrimarySettings(
        primary.url(), primary.user(), primary.password(), primary.applicationName(), primary.pageSize(), millis,
        primary.queryTimeout());
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
