package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.protocol.http.SubmitJobRequest;
import dev.backfill.stores.LocalStores;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;

/**
 * The whole product on this machine: real stores started here, calls seeded, K cluster nodes as
 * separate JVMs launched with config files, J jobs submitted through the HTTP API like any client
 * would, progress, and a report whose figures come from the stores themselves.
 */
public final class Demo {

  /** Processors the demo's jobs use, in order; the first job runs the one asked for. */
  private static final List<String> PROCESSORS =
      List.of("talk-ratio", "question-count", "interactivity", "longest-monologue", "patience", "keyword-tracker");

  /**
   * The demo's primary serves no live traffic, and everything shares this machine's cores: the
   * governor's live probe would mostly read the engine's own CPU and hold the job to a crawl. The
   * demo shows what the engine does with the live-path ratio out of the way (the other limits
   * stay); `./backfill bench incident` shows the governor at its defaults beside a live workload.
   */
  static final String NO_LIVE_TRAFFIC =
      "backfill.governor.thresholds.live-ratio-warn = 20\n"
          + "backfill.governor.thresholds.live-ratio-critical = 40\n"
          // The thresholds above hold for one probe round trip over a 2 ms live path; the shipped
          // three over 1 ms read the same delay as about six times the ratio.
          + "backfill.governor.probe-round-trips = 1\n"
          + "backfill.governor.live-path.live-latency = 2ms\n";

  public record Options(
      int calls, String processor, int nodes, int jobs, long seed, boolean json, boolean keep, Path directory) {}

  private final Options options;
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  public Demo(Options options) {
    this.options = options;
  }

  public int run() throws Exception {
    List<String> processors = processorsForJobs();
    Instant demoStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    Folders.wipe(options.directory());
    Files.createDirectories(options.directory());
    err.println("starting PostgreSQL and Cassandra in " + options.directory() + " ...");
    LocalStores stores = LocalStores.start(LocalStores.Layout.ephemeral(options.directory()));
    ChildNodes nodes = null;
    try {
      Config config = NodeConfig.load(Optional.empty(), NodeConfig.forStores(stores.endpoints()));
      EngineSettings settings = EngineSettings.create(config);
      new SchemaInstaller(settings).installAll();

      var primary = settings.primary();
      err.printf("seeding %,d calls into the primary database ...%n", options.calls());
      var seeded = CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, options.calls(), options.seed());
      double seedRate = seeded.calls() * 1000.0 / Math.max(1, seeded.elapsedMillis());
      err.printf("seeded %,d calls (%,d MB of transcripts) at %,.0f calls/s%n", seeded.calls(), seeded.bytes() / 1_000_000, seedRate);

      try (PrimaryLoadMonitor monitor =
          new PrimaryLoadMonitor(primary.url(), primary.user(), primary.password(), primary.applicationName())) {
        err.printf("starting %d node%s ...%n", options.nodes(), options.nodes() == 1 ? "" : "s");
        nodes =
            ChildNodes.start(
                options.nodes(),
                stores.endpoints(),
                settings.cassandra().keyspace(),
                options.directory(),
                NO_LIVE_TRAFFIC);
        err.println("cluster up; HTTP APIs at " + nodes.apiUrls());
        List<ApiClient> apis = nodes.apiUrls().stream().map(ApiClient::new).toList();
        // The primary's load is counted over the jobs' own window: from just before the first
        // submit to the moment the last job is seen ended.
        OptionalLong leasesBefore = leasesGranted(apis, Duration.ofSeconds(30));
        monitor.openWindow();
        List<String> jobIds = new ArrayList<>();
        for (int i = 0; i < processors.size(); i++) {
          jobIds.add(submit(apis.get(i % apis.size()), processors.get(i)));
        }
        var watched = new ProgressWatcher(apis, err).awaitEnd(jobIds);
        PrimaryLoadMonitor.Window window = monitor.closeWindow();
        OptionalLong leasesAfter = leasesGranted(apis, Duration.ofSeconds(10));
        // A lease is one query on the primary: every page, and each job's count of its calls. The
        // counter is the governor's own, and starts again if the governor moves to another node.
        Long pageQueries =
            leasesBefore.isPresent() && leasesAfter.isPresent() && leasesAfter.getAsLong() >= leasesBefore.getAsLong()
                ? leasesAfter.getAsLong() - leasesBefore.getAsLong()
                : null;

        if (!options.keep()) {
          nodes.close();
          nodes = null;
        }
        Map<String, ResultCensus.Census> census;
        try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
          census = ResultCensus.byProcessor(session);
        }
        int connectionCap = GovernorSettings.create(config).budget().maxConcurrentQueries() + 1;
        var summary =
            new DemoSummary(options, processors, watched, census, window, pageQueries, connectionCap, seedRate, demoStart);
        report(summary.figures());
        if (options.keep()) {
          holdUntilStopped(nodes, stores);
        }
        return summary.complete() ? 0 : 1;
      }
    } finally {
      if (!options.keep()) {
        if (nodes != null) {
          nodes.close();
        }
        stores.close();
      }
    }
  }

  private List<String> processorsForJobs() {
    if (options.jobs() < 1 || options.jobs() > PROCESSORS.size()) {
      throw new CliException("--jobs must be between 1 and " + PROCESSORS.size() + " (one processor per job)");
    }
    if (!PROCESSORS.contains(options.processor())) {
      throw new CliException("--processor must be one of " + PROCESSORS);
    }
    List<String> processors = new ArrayList<>();
    processors.add(options.processor());
    PROCESSORS.stream()
        .filter(p -> !p.equals(options.processor()))
        .limit(options.jobs() - 1L)
        .forEach(processors::add);
    return processors;
  }

  private String submit(ApiClient api, String processor) throws IOException {
    Map<String, String> parameters =
        processor.equals("keyword-tracker") ? Map.of("keywords", "price,budget,timeline,security review") : Map.of();
    String body =
        ApiJson.MAPPER.writeValueAsString(new SubmitJobRequest(processor, 1, null, null, null, parameters, null, null));
    ApiClient.Reply reply = api.post("/jobs", body);
    if (reply.status() != 202) {
      throw new CliException("the API refused the demo's job: HTTP " + reply.status() + " " + reply.body());
    }
    String jobId = ApiJson.MAPPER.readTree(reply.body()).path("job_id").asText();
    err.println("submitted job " + jobId + " (" + processor + " v1) through POST /jobs");
    return jobId;
  }

  /**
   * The governor's count of leases granted since it started ({@code GET /governor}), asked of each
   * node in turn until one answers; nothing if none did within {@code patience} (a governor that
   * is still starting does not answer).
   */
  private static OptionalLong leasesGranted(List<ApiClient> apis, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    do {
      for (ApiClient api : apis) {
        try {
          ApiClient.Reply reply = api.get("/governor");
          if (reply.ok()) {
            JsonNode granted = ApiJson.MAPPER.readTree(reply.body()).path("leases_granted");
            if (granted.isNumber()) {
              return OptionalLong.of(granted.asLong());
            }
          }
        } catch (CliException | IOException notNow) {
          // that node is busy or the governor not up yet: ask the next
        }
      }
      Thread.sleep(500);
    } while (System.nanoTime() < deadline);
    return OptionalLong.empty();
  }

  private void report(Map<String, Object> figures) throws IOException {
    PrintStream human = options.json() ? err : out;
    human.println();
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> jobs = (List<Map<String, Object>>) figures.get("job_results");
    for (Map<String, Object> job : jobs) {
      human.printf(
          "%-17s %s: %,d processed, %,d skipped, %,d failed; %,d results in Cassandra; throttled %,d ms%n",
          job.get("processor"),
          job.get("status"),
          (Long) job.get("processed"),
          (Long) job.get("skipped"),
          (Long) job.get("failed"),
          (Long) job.get("results_in_cassandra"),
          (Long) job.get("throttled_ms"));
    }
    human.printf(
        "%d node(s), %d job(s): %,d calls each in %.1f s (%,d calls/s over all jobs)%n",
        (Integer) figures.get("nodes"),
        (Integer) figures.get("jobs"),
        (Integer) figures.get("calls"),
        (Long) figures.get("elapsed_ms") / 1000.0,
        (Long) figures.get("calls_per_second"));
    Object maxConnections = figures.get("primary_db_max_connections");
    Object pageQueries = figures.get("primary_page_queries");
    human.printf(
        "primary database over the jobs' %.1f s: %s (cap %d; %,d samples of pg_stat_activity); %s;"
            + " %,d transactions by anyone (%.1f/s: pages, the governor's probe, autovacuum)%n",
        (Long) figures.get("primary_window_ms") / 1000.0,
        maxConnections == null ? "engine connections unknown" : "at most " + maxConnections + " engine connections",
        (Integer) figures.get("primary_db_connection_cap"),
        (Long) figures.get("primary_db_connection_samples"),
        pageQueries == null
            ? "page queries unknown (the governor did not answer, or moved)"
            : String.format(
                "%,d page queries leased by the governor (%.1f/s)",
                (Long) pageQueries,
                (Double) figures.get("primary_page_queries_per_second")),
        (Long) figures.get("primary_db_transactions"),
        (Double) figures.get("primary_db_transactions_per_second"));
    human.printf("first result written %s ms after the demo started%n", figures.get("first_result_ms"));
    if (options.json()) {
      out.println(ApiJson.MAPPER.writeValueAsString(figures));
    }
  }

  private void holdUntilStopped(ChildNodes nodes, LocalStores stores) throws InterruptedException {
    err.println("--keep: the nodes and stores keep running. APIs: " + nodes.apiUrls() + "  (Ctrl-C stops all)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  nodes.close();
                  stores.close();
                  stopped.countDown();
                }));
    stopped.await();
  }
}
