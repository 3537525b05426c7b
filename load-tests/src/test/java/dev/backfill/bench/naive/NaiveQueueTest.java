package dev.backfill.bench.naive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.protocol.call.Call;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The naive queue against a real PostgreSQL, since what it exists to show is SQL behaviour. */
class NaiveQueueTest {

  private static final int CALLS = 50;
  private static final int WORKERS = 4;
  private static final String USER = "postgres";
  private static final String PASSWORD = null;
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private static EmbeddedPostgres postgres;
  private static String url;

  @BeforeAll
  static void startPrimary() throws IOException, SQLException {
    postgres = EmbeddedPostgres.start();
    url = postgres.getJdbcUrl(USER, "postgres");
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
        Statement statement = connection.createStatement()) {
      for (String sql : withoutCommentLines(primarySchema()).split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    }
    CallSeeder.seed(url, USER, PASSWORD, 1, CALLS, 7);
    NaiveQueue.install(url, USER, PASSWORD);
    // Installing twice must be harmless: the benchmark installs before every run.
    NaiveQueue.install(url, USER, PASSWORD);
  }

  @AfterAll
  static void stopPrimary() throws IOException {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Test
  void aFleetOfWorkersAnalysesEveryCallOnceAndStops() throws SQLException {
    NaiveQueue.reset(url, USER, PASSWORD);

    try (NaiveQueue queue = NaiveQueue.start(url, USER, PASSWORD, WORKERS, talkRatio())) {
      awaitAllDone(queue);
      assertEquals(0, queue.errors());
      assertEquals(0, queue.failed());
    }

    assertEquals(CALLS, NaiveQueue.resultsWritten(url, USER, PASSWORD));
    assertEquals(Map.of("done", (long) CALLS), tasksByState());
    assertEquals(0, resultsDisagreeingWithTheirCall());
    assertTrue(
        Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.isAlive() && t.getName().startsWith(NaiveWorker.APPLICATION_NAME)),
        "a naive worker thread outlived close()");
  }

  @Test
  void resetStartsOverWithEveryCallPending() throws SQLException {
    NaiveQueue.reset(url, USER, PASSWORD);
    try (NaiveQueue queue = NaiveQueue.start(url, USER, PASSWORD, WORKERS, talkRatio())) {
      awaitAllDone(queue);
    }
    assertEquals(CALLS, NaiveQueue.resultsWritten(url, USER, PASSWORD));

    NaiveQueue.reset(url, USER, PASSWORD);

    assertEquals(0, NaiveQueue.resultsWritten(url, USER, PASSWORD));
    assertEquals(Map.of("pending", (long) CALLS), tasksByState());
  }

  /**
   * One transaction per task is what the baseline must reproduce: a worker that held its results
   * until the queue ran dry would still leave every result written in the end.
   */
  @Test
  void eachTaskIsCommittedBeforeTheNextIsClaimed() throws Exception {
    NaiveQueue.reset(url, USER, PASSWORD);
    CountDownLatch reached = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    // One worker claims in call order: when it reaches the last call, every other was claimed.
    Processor heldOnLastCall = new HeldOnOneCall(talkRatio(), CALLS, reached, release);

    try (NaiveQueue queue = NaiveQueue.start(url, USER, PASSWORD, 1, heldOnLastCall)) {
      try {
        assertTrue(reached.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "the worker never reached the last call");
        assertEquals(CALLS - 1, NaiveQueue.resultsWritten(url, USER, PASSWORD));
      } finally {
        release.countDown();
      }
      awaitAllDone(queue);
    }
    assertEquals(CALLS, NaiveQueue.resultsWritten(url, USER, PASSWORD));
  }

  /**
   * Delegates to a processor, but on one call says it got there and holds it until released (or
   * the deadline passes).
   */
  private record HeldOnOneCall(
      Processor delegate, long heldCallId, CountDownLatch reached, CountDownLatch release)
      implements Processor {

    @Override
    public String id() {
      return delegate.id();
    }

    @Override
    public int version() {
      return delegate.version();
    }

    @Override
    public String description() {
      return delegate.description();
    }

    @Override
    public Object process(Call call, Map<String, String> parameters) {
      if (call.id() == heldCallId) {
        reached.countDown();
        try {
          release.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return delegate.process(call, parameters);
    }
  }

  private static Processor talkRatio() {
    return ProcessorRegistry.load().find("talk-ratio").orElseThrow();
  }

  /** Workers stop by themselves once they find no pending task; then every task is done. */
  private static void awaitAllDone(NaiveQueue queue) {
    assertTrue(queue.awaitFinished(DEADLINE), () -> "workers still running after " + DEADLINE);
    assertEquals(
        CALLS, queue.done(), () -> "tasks done (" + queue.errors() + " errors, " + queue.failed() + " failed)");
  }

  private static Map<String, Long> tasksByState() throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT state, count(*) FROM naive_tasks GROUP BY state")) {
      while (rows.next()) {
        counts.put(rows.getString(1), rows.getLong(2));
      }
    }
    return counts;
  }

  /**
   * Results whose rep talk time is not the one the SQL below computes from the call's own
   * transcript: catches a result stored under the wrong call or computed from an empty transcript,
   * without going through the Java parsing under test.
   */
  private static long resultsDisagreeingWithTheirCall() throws SQLException {
    String sql =
        """
        SELECT count(*)
        FROM naive_results r
        JOIN calls c ON c.id = r.call_id
        WHERE (r.result->>'rep_talk_ms')::bigint IS DISTINCT FROM (
          SELECT coalesce(sum(greatest(0, (u->>'end_ms')::bigint - (u->>'start_ms')::bigint)), 0)
          FROM jsonb_array_elements(c.transcript->'utterances') u
          WHERE u->>'role' = 'rep')
          OR (r.result->>'rep_talk_ms')::bigint = 0
        """;
    try (Connection connection = DriverManager.getConnection(url, USER, PASSWORD);
        Statement statement = connection.createStatement();
        ResultSet count = statement.executeQuery(sql)) {
      count.next();
      return count.getLong(1);
    }
  }

  private static String primarySchema() throws IOException {
    try (InputStream in =
        NaiveQueueTest.class.getClassLoader().getResourceAsStream("schema/primary.sql")) {
      if (in == null) {
        throw new IllegalStateException("schema/primary.sql is not on the test class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The schema's comments mention ';', so they go before the script is split on it. */
  private static String withoutCommentLines(String script) {
    return script.lines()
        .filter(line -> !line.trim().startsWith("--"))
        .collect(Collectors.joining("\n"));
  }
}
