package dev.backfill.cluster.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.cluster.testing.ApiTestClient;
import dev.backfill.cluster.testing.TestNodes;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.testing.RealStores;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The governor yields to the live path within a second, as seen from outside the engine: the
 * test's own live client (not the governor's probe) sees when a competing load slows the primary,
 * and the primary's own statistics show the engine's page reads slowing (rows read through the
 * primary key, which only page queries walk: the probe reads the start-time index, the test's
 * live client a table of its own).
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class GovernorYieldsToLivePathTest {

  /**
   * The job must still be running (reading pages) at the test's end, or a job that ran out of calls
   * would pass "reads slowed". From submitting the job, the test waits at most 120 s for steady
   * reads, then at most 40 s for the load to run its course, then at most 10 s for THROTTLED:
   * about 170 s in all. At the governor's ceiling (GOVERNED_ROWS_PER_SECOND, 12 rows/s, the most
   * the job may read) that is about 2,000 rows, plus at most one page beyond the rate (page-size,
   * 500 rows): about 2,500. Four times that.
   */
  private static final int CALLS = 10_000;
  /**
   * Clients of the competing load. 12 slowed the governor's probe to 1.26x once in a suite run
   * (warn 1.25), too close to the line for the test to say anything about the reaction: the
   * governor backed off once and the window showed nothing. The stimulus must be unmistakable.
   * With 24 of today's queries (CompetingLoad) the probes' ratio reached 2.5-4x; a governor made
   * not to react (warnings at 90x and 5 s, 2026-12-03) still read 27% fewer rows under that load
   * (11.7 rows/s before, 8.5 after: failed, as it must), the primary being that busy.
   */
  private static final int COMPETING_QUERIES = 24;
  private static final int GOVERNED_ROWS_PER_SECOND = 12;
  /**
   * How long the competing load runs. The reads after the reaction are counted over what is left of
   * it, in pages of a few rows at 12 rows/s: over the 3-4 s that 6 s left, one page more or less
   * moved the average across the line (a suite run read 6.2 rows/s against at most 6.0 while the
   * governor had backed off and then paused every job).
   */
  private static final Duration LOAD_FOR = Duration.ofSeconds(10);
  private static final long REACTION_ALLOWED_NANOS = Duration.ofSeconds(1).toNanos();
  /** PostgreSQL 14 publishes a backend's statistics at most every 500 ms. */
  private static final long STATISTICS_DELAY_NANOS = Duration.ofMillis(500).toNanos();

  @Test
  void aCompetingLoadThatSlowsThePrimarySlowsTheJobsPageReadsWithinASecond() throws Exception {
    Config stores = RealStores.freshEnvironment("governor_yields");
    var primary = EngineSettings.create(stores).primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 5);

    try (Timeline timeline = new Timeline(primary.url(), primary.user(), primary.password());
        TestNodes nodes = TestNodes.start(1, governedEnvironment(stores, timeline.liveP99AtRest()));
        GovernorWatch governor = new GovernorWatch(nodes.api(0))) {
      ApiTestClient api = nodes.api(0);
      var submitted = api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":1}");
      assertEquals(202, submitted.status(), () -> String.valueOf(submitted.body()));
      String jobId = submitted.body().path("job_id").asText();

      double liveP99AtRest = timeline.liveP99AtRest();
      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      // Up to 120 s: the governor runs with the shipped thresholds, so on a busy CI machine the
      // noise of the previous test's cluster shutting down can make it back off before any load
      // (a clean-clone run, 2026-12-02: 1.27-2.56x for 20 s, and 60 s ran out). What this test
      // judges is the reaction once the load starts, not how soon the machine is quiet.
      probe.awaitAssert(
          Duration.ofSeconds(120),
          Duration.ofMillis(200),
          () -> {
            long now = System.nanoTime();
            assertTrue(
                timeline.pageRowsPerSecond(now - Duration.ofSeconds(3).toNanos(), now)
                    >= GOVERNED_ROWS_PER_SECOND * 2 / 3.0,
                "the engine reads pages steadily before the competing load starts (the live client's p99 at"
                    + " rest, which live-latency follows from 2 ms up: "
                    + liveP99AtRest
                    + " ms)");
            return null;
          });
      long beforeLoad = System.nanoTime();
      double pageRowsBefore = timeline.pageRowsPerSecond(beforeLoad - Duration.ofSeconds(3).toNanos(), beforeLoad);
      double liveMedianBefore = timeline.liveMedianMs(beforeLoad - Duration.ofSeconds(2).toNanos(), beforeLoad);

      long loadStart = System.nanoTime();
      try (CompetingLoad load = CompetingLoad.start(primary.url(), primary.user(), primary.password(), COMPETING_QUERIES)) {
        probe.awaitAssert(
            LOAD_FOR.plusSeconds(30),
            Duration.ofMillis(200),
            () -> {
              assertTrue(System.nanoTime() - loadStart >= LOAD_FOR.toNanos(), "the load runs its course");
              return null;
            });
        long loadEnd = System.nanoTime();
        long slowedAt = timeline.firstLiveSlowdown(loadStart, loadEnd, liveMedianBefore * 2);
        assertTrue(slowedAt > 0, "the test's live client saw the primary slow down (median before: " + liveMedianBefore + " ms)");
        long reacted = slowedAt + REACTION_ALLOWED_NANOS + STATISTICS_DELAY_NANOS;
        assertTrue(timeline.samples(reacted, loadEnd) >= 20, "the primary's statistics were read throughout");
        double pageRowsAfter = timeline.pageRowsPerSecond(reacted, loadEnd);
        // The governor halves the rate at its next decision (a quarter second); over the rest of
        // the load the rate then holds or climbs back by 5% a second when the competing load's
        // share of the probes' slowness is excused, so the window's average lies between half
        // and two thirds of the rate before (two suite runs on a busy machine measured 0.51 and 0.53,
        // which a test asking for half failed). A governor that did not react reads at the rate
        // before or faster (made to fail once with the ratio's warning at 90: 9.7 rows/s before,
        // 10.0 after; and again with the ratio as a share of live-latency, 2026-11-30: 9.0 before,
        // 10.5 after, while the shipped thresholds passed).
        assertTrue(
            pageRowsAfter <= pageRowsBefore * 2 / 3,
            "page rows read per second: "
                + pageRowsBefore
                + " before the load, "
                + pageRowsAfter
                + " from a second after the live client saw the slowdown (plus the statistics' own delay); the"
                + " governor, from 3 s before the load to its end:\n"
                + governor.between(beforeLoad - Duration.ofSeconds(3).toNanos(), loadEnd, loadStart));
        // A primary this busy slows the page reads a little by itself (a governor made not to
        // react read 27% fewer rows), so the governor's own allowance is checked too: during the
        // load it fell to half the most it allowed from 3 s before the load on, or lower (it may
        // still have been climbing back from an earlier back-off when the load began).
        long watchedFrom = beforeLoad - Duration.ofSeconds(3).toNanos();
        double mostAllowed = governor.mostAllowed(watchedFrom, loadEnd);
        double leastAllowed = governor.leastAllowed(loadStart, loadEnd);
        assertTrue(
            leastAllowed <= mostAllowed / 2,
            "the governor allowed at most "
                + mostAllowed
                + " rows/s and never less than "
                + leastAllowed
                + " during the load:\n"
                + governor.between(watchedFrom, loadEnd, loadStart));
        // While the load goes on, the job says why it is slow. Between two denied leases it may
        // run a page (the governor holds a low rate rather than stopping), so the status is
        // watched for a while rather than read once.
        probe.awaitAssert(
            Duration.ofSeconds(10),
            Duration.ofMillis(50),
            () -> {
              JsonNode status = api.get("/jobs/" + jobId).body();
              assertEquals("THROTTLED", status.path("status").asText(), status::toString);
              assertTrue(status.path("reason").asText().contains("latency"), status::toString);
              return null;
            });
      }
      api.post("/jobs/" + jobId + "/cancel", "{}");
    }
  }

  /**
   * The product's own live-path thresholds and back-off floor, as shipped (the test environment
   * relaxes them for other tests), and {@code live-latency} measured the way the configuration
   * tells an operator to: the live path's own p99 with the engine quiet. On a busy CI machine that
   * p99 is several milliseconds, not the test environment's 2 ms, and against 2 ms the machine's
   * own noise alone read as the backfill hurting the live path: the governor held the job at 3-17%
   * of its budget for the whole 120 s before any load (reproduced with two bursty CPU hogs beside
   * the test, 2026-12-02). The test environment's 2 ms stays the floor, so the governor is never
   * less sensitive here than it was.
   */
  private static Config governedEnvironment(Config stores, double liveP99AtRestMs) {
    Config shipped = ConfigFactory.parseResources("backfill.conf").getConfig("backfill.governor");
    long liveLatencyMicros = Math.round(Math.max(2.0, liveP99AtRestMs) * 1000);
    return ConfigFactory.parseMap(
            Map.of(
                "backfill.governor.thresholds.live-ratio-warn", shipped.getDouble("thresholds.live-ratio-warn"),
                "backfill.governor.thresholds.live-ratio-critical", shipped.getDouble("thresholds.live-ratio-critical"),
                "backfill.governor.aimd.min-fraction", shipped.getDouble("aimd.min-fraction"),
                "backfill.governor.live-path.live-latency", liveLatencyMicros + "us",
                // A budget well under what the engine reads on a busy machine, so that the job
                // runs at the governor's rate and its reaction shows in the page reads: on a
                // clean clone the engine read only 20 rows/s, under the default budget's floor,
                // and halving an allowance it did not use changed nothing.
                "backfill.governor.max-rows-per-second", GOVERNED_ROWS_PER_SECOND))
        .withFallback(stores);
  }

  /**
   * What the primary and a live client see: rows read by page queries (the primary's statistics,
   * every 100 ms), and how long a live-path-shaped query takes (every 10 ms). Both are clients of the
   * primary that share no code with the engine.
   */
  private static final class Timeline implements AutoCloseable {
    private record Sample(long atNanos, long pageRowsRead) {}

    private record Live(long atNanos, double millis) {}

    private final Connection watcher;
    private final Connection live;
    private final PreparedStatement liveQuery;
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Live> lives = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

    Timeline(String url, String user, String password) throws SQLException {
      watcher = DriverManager.getConnection(url + "?ApplicationName=test-statistics", user, password);
      live = DriverManager.getConnection(url + "?ApplicationName=test-live-client", user, password);
      try (Statement setup = live.createStatement()) {
        setup.execute("CREATE TABLE IF NOT EXISTS test_recordings (id bigserial PRIMARY KEY, tenant text, at timestamptz DEFAULT now())");
        setup.execute("INSERT INTO test_recordings (tenant) SELECT 'contoso' FROM generate_series(1, 200)");
      }
      liveQuery = live.prepareStatement("SELECT id, tenant FROM test_recordings WHERE tenant = 'contoso' ORDER BY at DESC LIMIT 5");
      timer.scheduleAtFixedRate(this::sampleEngine, 0, 100, TimeUnit.MILLISECONDS);
      timer.scheduleAtFixedRate(this::sampleLive, 0, 10, TimeUnit.MILLISECONDS);
    }

    private void sampleEngine() {
      try (Statement statement = watcher.createStatement()) {
        statement.execute("SELECT pg_stat_clear_snapshot()");
        try (ResultSet rows =
            statement.executeQuery("SELECT idx_tup_read FROM pg_stat_user_indexes WHERE indexrelname = 'calls_pkey'")) {
          rows.next();
          samples.add(new Sample(System.nanoTime(), rows.getLong(1)));
        }
      } catch (SQLException e) {
        // a missed sample: the counts of samples show it
      }
    }

    private void sampleLive() {
      long start = System.nanoTime();
      try (ResultSet rows = liveQuery.executeQuery()) {
        while (rows.next()) {
          // read what the live path reads
        }
        lives.add(new Live(start, (System.nanoTime() - start) / 1e6));
      } catch (SQLException e) {
        lives.add(new Live(start, Double.MAX_VALUE));
      }
      synchronized (lives) {
        lives.notifyAll();
      }
    }

    /**
     * The live client's p99 over its first 300 queries (3 s), before any engine runs: waits for
     * them, at most 30 s.
     */
    double liveP99AtRest() throws InterruptedException {
      int wanted = 300;
      synchronized (lives) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (lives.size() < wanted) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IllegalStateException("the live client ran only " + lives.size() + " queries in 30 s");
          }
          TimeUnit.NANOSECONDS.timedWait(lives, left);
        }
      }
      List<Double> values = lives.stream().limit(wanted).map(Live::millis).sorted().toList();
      return values.get((int) Math.ceil(wanted * 0.99) - 1);
    }

    int samples(long from, long to) {
      return (int) samples.stream().filter(s -> s.atNanos() >= from && s.atNanos() <= to).count();
    }

    /** Rows the engine's page queries read through the primary key per second, between two moments. */
    double pageRowsPerSecond(long from, long to) {
      List<Sample> inside = samples.stream().filter(s -> s.atNanos() >= from && s.atNanos() <= to).toList();
      if (inside.size() < 2) {
        return Double.NaN;
      }
      Sample first = inside.get(0);
      Sample last = inside.get(inside.size() - 1);
      return (last.pageRowsRead() - first.pageRowsRead()) / ((last.atNanos() - first.atNanos()) / 1e9);
    }

    double liveMedianMs(long from, long to) {
      List<Double> values = new ArrayList<>();
      lives.forEach(l -> {
        if (l.atNanos() >= from && l.atNanos() <= to) {
          values.add(l.millis());
        }
      });
      values.sort(Double::compare);
      return values.isEmpty() ? Double.NaN : values.get(values.size() / 2);
    }

    /** The start of the first 200 ms in which the live client's median latency exceeded {@code slowMs}; 0 if none. */
    long firstLiveSlowdown(long from, long to, double slowMs) {
      long step = Duration.ofMillis(200).toNanos();
      for (long at = from; at + step <= to; at += step / 4) {
        if (liveMedianMs(at, at + step) > slowMs) {
          return at;
        }
      }
      return 0;
    }

    @Override
    public void close() throws Exception {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
      watcher.close();
      live.close();
    }
  }

  /**
   * What the governor saw and decided, read from GET /governor every 250 ms: when the job does not
   * slow down, the failure says whether the governor saw no slowdown (its ratio), excused it (its
   * baseline or untouched tail rose with the load) or was measuring its baseline meanwhile.
   */
  private static final class GovernorWatch implements AutoCloseable {
    private record Seen(long atNanos, double rowsPerSecond, String line) {}

    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    GovernorWatch(ApiTestClient api) {
      timer.scheduleAtFixedRate(() -> read(api), 0, 250, TimeUnit.MILLISECONDS);
    }

    private void read(ApiTestClient api) {
      try {
        JsonNode view = api.get("/governor").body();
        JsonNode live = view.path("live_path");
        seen.add(
            new Seen(
                System.nanoTime(),
                view.path("rows_per_second").asDouble(Double.NaN),
                String.format(
                    "%s rows/s %.1f ratio %s median %s/%s tail %s/%s untouched %s measuring %s",
                    view.path("mode").asText(),
                    view.path("rows_per_second").asDouble(),
                    live.path("ratio").asText(),
                    live.path("recent_median_ms").asText(),
                    live.path("baseline_median_ms").asText(),
                    live.path("recent_tail_ms").asText(),
                    live.path("baseline_tail_ms").asText(),
                    live.path("untouched_tail_ms").asText(),
                    live.path("measuring_baseline").asText())));
      } catch (RuntimeException e) {
        seen.add(new Seen(System.nanoTime(), Double.NaN, "unread: " + e));
      }
    }

    /** The most rows per second the governor allowed in a reading between two moments (NaN: none read). */
    double mostAllowed(long from, long to) {
      return allowed(from, to).max().orElse(Double.NaN);
    }

    /** The fewest rows per second the governor allowed in a reading between two moments (NaN: none read). */
    double leastAllowed(long from, long to) {
      return allowed(from, to).min().orElse(Double.NaN);
    }

    private java.util.stream.DoubleStream allowed(long from, long to) {
      return seen.stream()
          .filter(s -> s.atNanos() >= from && s.atNanos() <= to && !Double.isNaN(s.rowsPerSecond()))
          .mapToDouble(Seen::rowsPerSecond);
    }

    /** One line per reading between two moments, each with its time in seconds from {@code zero}. */
    String between(long from, long to, long zero) {
      StringBuilder lines = new StringBuilder();
      for (Seen s : seen) {
        if (s.atNanos() >= from && s.atNanos() <= to) {
          lines.append(String.format("%+.2f s %s%n", (s.atNanos() - zero) / 1e9, s.line()));
        }
      }
      return lines.toString();
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * A fleet of clients keeping the primary's cores busy until closed: each query upper-cases 41
   * rows of 16 KB (a few milliseconds of the primary's CPU), so that the backends stay runnable
   * rather than waiting for their client's next round trip. Queries of one row each, as this load
   * used to run, left the cores idle between round trips from the test's JVM: on 2026-12-03 they
   * raised the governor's probe median from 0.14 to 0.2-0.4 ms, a tenth of the live latency the
   * governor steers by here (2 ms), under its warning, and the test failed 3 runs of 3 with the
   * governor rightly steady. Measured with pgbench the same day, 24 clients of these queries took
   * the live client's median from 0.45 to 3.1 ms; 8 of them left it alone (the scheduler lets a
   * short query through a few long ones), so there are 24.
   */
  private static final class CompetingLoad implements AutoCloseable {
    private static final int ROWS_PER_QUERY = 40;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<Statement> statements = new ArrayList<>();

    static CompetingLoad start(String url, String user, String password, int queries) throws SQLException {
      CompetingLoad load = new CompetingLoad();
      // A table of its own, so that its reads do not count as the engine's (calls' primary key).
      try (Connection setup = DriverManager.getConnection(url, user, password);
          Statement statement = setup.createStatement()) {
        statement.execute("CREATE TABLE IF NOT EXISTS test_load (id int PRIMARY KEY, payload text)");
        statement.execute(
            "INSERT INTO test_load SELECT g, repeat(md5(g::text), 500) FROM generate_series(1, 2000) g"
                + " ON CONFLICT DO NOTHING");
      }
      for (int i = 0; i < queries; i++) {
        Connection connection = DriverManager.getConnection(url + "?ApplicationName=test-competing-load", user, password);
        Statement statement = connection.createStatement();
        load.statements.add(statement);
        Thread thread =
            new Thread(
                () -> {
                  try (connection) {
                    java.util.SplittableRandom random = new java.util.SplittableRandom();
                    while (load.running.get()) {
                      int from = 1 + random.nextInt(2000 - ROWS_PER_QUERY);
                      statement.execute(
                          "SELECT sum(length(upper(payload))) FROM test_load WHERE id BETWEEN "
                              + from
                              + " AND "
                              + (from + ROWS_PER_QUERY));
                    }
                  } catch (SQLException e) {
                    // cancelled on close
                  }
                },
                "competing-load-" + i);
        thread.start();
        load.threads.add(thread);
      }
      return load;
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Statement statement : statements) {
        statement.cancel();
      }
      for (Thread thread : threads) {
        thread.join(10_000);
      }
    }
  }
}
