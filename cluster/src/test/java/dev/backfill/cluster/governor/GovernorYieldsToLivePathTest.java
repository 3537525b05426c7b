package dev.backfill.cluster.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
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
 * and the primary's own pg_stat_activity shows when the engine's page queries stop.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class GovernorYieldsToLivePathTest {

  private static final int CALLS = 20_000;
  private static final int COMPETING_QUERIES = 6;
  private static final Duration LOAD_FOR = Duration.ofSeconds(6);
  private static final long REACTION_ALLOWED_NANOS = Duration.ofSeconds(1).toNanos();

  @Test
  void aCompetingLoadThatSlowsThePrimaryStopsTheJobsPageQueriesWithinASecond() throws Exception {
    Config environment = RealStores.freshEnvironment("governor_yields");
    EngineSettings settings = EngineSettings.create(environment);
    var primary = settings.primary();
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, CALLS, 5);

    try (TestNodes nodes = TestNodes.start(1, environment);
        Timeline timeline = new Timeline(primary.url(), primary.user(), primary.password())) {
      ApiTestClient api = nodes.api(0);
      var submitted = api.post("/jobs", "{\"processor\":\"talk-ratio\",\"version\":1}");
      assertEquals(202, submitted.status(), () -> String.valueOf(submitted.body()));
      String jobId = submitted.body().path("job_id").asText();

      TestProbe<Object> probe = TestProbe.create(nodes.node(0).system());
      probe.awaitAssert(
          Duration.ofSeconds(60),
          Duration.ofMillis(200),
          () -> {
            assertTrue(
                timeline.engineActiveSamplesSince(System.nanoTime() - Duration.ofSeconds(2).toNanos()) >= 3,
                "the engine's page queries run on the primary before the competing load starts");
            return null;
          });
      double liveMedianBefore = timeline.liveMedianMs(System.nanoTime() - Duration.ofSeconds(2).toNanos(), System.nanoTime());

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
        long slowedAt = timeline.firstLiveSlowdown(loadStart, loadEnd, liveMedianBefore * 3);
        assertTrue(slowedAt > 0, "the test's live client saw the primary slow down (median before: " + liveMedianBefore + " ms)");
        int engineAfterReaction = timeline.engineActiveSamples(slowedAt + REACTION_ALLOWED_NANOS, loadEnd);
        int samplesAfterReaction = timeline.samples(slowedAt + REACTION_ALLOWED_NANOS, loadEnd);
        assertTrue(samplesAfterReaction > 50, "pg_stat_activity was watched throughout: " + samplesAfterReaction);
        assertEquals(
            0,
            engineAfterReaction,
            "samples of pg_stat_activity with an engine page query running, from a second after the live client"
                + " saw the slowdown until the load ended, out of " + samplesAfterReaction);
        JsonNode status = api.get("/jobs/" + jobId).body();
        assertEquals("THROTTLED", status.path("status").asText(), status::toString);
        assertTrue(status.path("reason").asText().contains("latency"), status::toString);
      }
      api.post("/jobs/" + jobId + "/cancel", "{}");
    }
  }

  /**
   * What the primary and a live client see, every 10 ms: whether an engine page query is running
   * (pg_stat_activity), and how long a live-path-shaped query takes. Both are clients of the
   * primary that share no code with the engine.
   */
  private static final class Timeline implements AutoCloseable {
    private record Sample(long atNanos, boolean engineActive) {}

    private record Live(long atNanos, double millis) {}

    private final Connection watcher;
    private final Connection live;
    private final PreparedStatement engineActive;
    private final PreparedStatement liveQuery;
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Live> lives = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

    Timeline(String url, String user, String password) throws SQLException {
      String database = url.substring(url.lastIndexOf('/') + 1);
      watcher = DriverManager.getConnection(url.substring(0, url.lastIndexOf('/') + 1) + "postgres", user, password);
      engineActive =
          watcher.prepareStatement(
              "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND application_name = 'backfill-engine'"
                  + " AND state = 'active'");
      engineActive.setString(1, database);
      live = DriverManager.getConnection(url + "?ApplicationName=test-live-client", user, password);
      liveQuery = live.prepareStatement("SELECT id, tenant FROM calls WHERE tenant = 'contoso' ORDER BY started_at DESC LIMIT 5");
      timer.scheduleAtFixedRate(this::sampleEngine, 0, 10, TimeUnit.MILLISECONDS);
      timer.scheduleAtFixedRate(this::sampleLive, 0, 10, TimeUnit.MILLISECONDS);
    }

    private void sampleEngine() {
      try (ResultSet rows = engineActive.executeQuery()) {
        rows.next();
        samples.add(new Sample(System.nanoTime(), rows.getInt(1) > 0));
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
    }

    int samples(long from, long to) {
      return (int) samples.stream().filter(s -> s.atNanos() >= from && s.atNanos() <= to).count();
    }

    int engineActiveSamples(long from, long to) {
      return (int) samples.stream().filter(s -> s.atNanos() >= from && s.atNanos() <= to && s.engineActive()).count();
    }

    int engineActiveSamplesSince(long from) {
      return engineActiveSamples(from, Long.MAX_VALUE);
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

  /** Queries that burn the primary's CPU, as a reporting job or a runaway query would, until closed. */
  private static final class CompetingLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final List<Statement> statements = new ArrayList<>();

    static CompetingLoad start(String url, String user, String password, int queries) throws SQLException {
      CompetingLoad load = new CompetingLoad();
      for (int i = 0; i < queries; i++) {
        Connection connection = DriverManager.getConnection(url + "?ApplicationName=test-competing-load", user, password);
        Statement statement = connection.createStatement();
        load.statements.add(statement);
        Thread thread =
            new Thread(
                () -> {
                  try (connection) {
                    while (load.running.get()) {
                      statement.execute("SELECT count(*) FROM generate_series(1, 3000000) g WHERE g % 7 = 3");
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
