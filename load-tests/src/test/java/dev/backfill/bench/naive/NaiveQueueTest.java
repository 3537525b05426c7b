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
import java.util.concurrent.locks.LockSupport;
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

  /** Short next to a task, long enough not to take a core from the workers on a small machine. */
  private static final Duration POLL_INTERVAL = Duration.ofMillis(5);

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
      awaitDone(queue, CALLS);
      awaitFinished(queue);
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
      awaitDone(queue, CALLS);
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
  void eachTaskIsCommittedBeforeTheNextIsClaimed() throws SQLException {
    NaiveQueue.reset(url, USER, PASSWORD);
    CountDownLatch release = new CountDownLatch(1);
    Processor heldOnLastCall = new HeldOnOneCall(talkRatio(), CALLS, release);

    try (NaiveQueue queue = NaiveQueue.start(url, USER, PASSWORD, 1, heldOnLastCall)) {
      try {
        awaitDone(queue, CALLS - 1);
        assertEquals(CALLS - 1, NaiveQueue.resultsWritten(url, USER, PASSWORD));
      } finally {
        release.countDown();
      }
      awaitDone(queue, CALLS);
    }
    assertEquals(CALLS, NaiveQueue.resultsWritten(url, USER, PASSWORD));
  }

  /** Delegates to a processor, but holds one call until released (or the deadline passes). */
  private record HeldOnOneCall(Processor delegate, long heldCallId, CountDownLatch release)
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

  /** Polls the queue's own counter until it reaches {@code expected}, failing at the deadline. */
  private static void awaitDone(NaiveQueue queue, long expected) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (queue.done() < expected) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "after " + DEADLINE + " the queue has done " + queue.done() + " of " + expected
                + " tasks (" + queue.errors() + " errors, " + queue.failed() + " failed)");
      }
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
    }
  }

  /** Workers stop by themselves once they find no pending task. */
  private static void awaitFinished(NaiveQueue queue) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!queue.finished()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("workers still running " + DEADLINE + " after the last task");
      }
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
    }
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
