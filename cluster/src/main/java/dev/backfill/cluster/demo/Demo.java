package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.node.BackfillNode;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.cluster.seed.CallSeeder;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

/**
 * The whole product in one command: real stores started here, calls seeded, a one-node cluster,
 * a job submitted through the HTTP API like any client would, progress, and a report whose
 * figures come from the stores themselves.
 */
public final class Demo {

  public record Options(
      int calls, String processor, long seed, boolean json, boolean keep, Path directory) {}

  private final Options options;
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  public Demo(Options options) {
    this.options = options;
  }

  public int run() throws Exception {
    Instant demoStart = Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
    wipe(options.directory());
    err.println("starting PostgreSQL and Cassandra in " + options.directory() + " ...");
    LocalStores stores = LocalStores.start(LocalStores.Layout.ephemeral(options.directory()));
    BackfillNode node = null;
    try {
      Map<String, Object> overrides = new HashMap<>(NodeConfig.forStores(stores.endpoints()));
      overrides.put("pekko.remote.artery.canonical.port", 0);
      overrides.put("backfill.http.port", 0);
      Config config = NodeConfig.load(Optional.empty(), overrides);
      EngineSettings settings = EngineSettings.create(config);
      new SchemaInstaller(settings).installAll();

      var primary = settings.primary();
      err.printf("seeding %,d calls into the primary database ...%n", options.calls());
      var seeded = CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, options.calls(), options.seed());
      double seedRate = seeded.calls() * 1000.0 / Math.max(1, seeded.elapsedMillis());
      err.printf(
          "seeded %,d calls (%,d MB of transcripts) at %,.0f calls/s%n",
          seeded.calls(), seeded.bytes() / 1_000_000, seedRate);

      try (PrimaryLoadMonitor monitor =
          new PrimaryLoadMonitor(primary.url(), primary.user(), primary.password(), primary.applicationName())) {
        long transactionsBefore = monitor.settledTransactions();
        monitor.start();
        node = BackfillNode.start(config);
        err.println("node up; HTTP API at " + node.apiUrl());
        ApiClient api = new ApiClient(node.apiUrl());
        String jobId = submit(api);
        JsonNode finalStatus = new ProgressWatcher(api, jobId, err).awaitEnd();

        if (!options.keep()) {
          node.close();
          node = null;
        }
        long primaryQueries = monitor.settledTransactions() - transactionsBefore;
        ResultCensus.Census census;
        try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
          census = ResultCensus.count(session, options.processor(), 1, jobId);
        }
        Map<String, Object> summary =
            summary(finalStatus, census, monitor.maxConnections(), primaryQueries, seedRate, demoStart);
        report(summary);
        if (options.keep()) {
          holdUntilInterrupted(node, stores);
        }
        boolean complete =
            "COMPLETED".equals(finalStatus.path("status").asText())
                && census.rows() == options.calls();
        return complete ? 0 : 1;
      }
    } finally {
      if (!options.keep()) {
        if (node != null) {
          node.close();
        }
        stores.close();
      }
    }
  }

  private String submit(ApiClient api) throws IOException {
    String body =
        ApiJson.MAPPER.writeValueAsString(
            new SubmitJobRequest(options.processor(), 1, null, null, null, Map.of(), null, null));
    ApiClient.Reply reply = api.post("/jobs", body);
    if (reply.status() != 202) {
      throw new CliException("the API refused the demo's job: HTTP " + reply.status() + " " + reply.body());
    }
    String jobId = ApiJson.MAPPER.readTree(reply.body()).path("job_id").asText();
    err.println("submitted job " + jobId + " (" + options.processor() + " v1) through POST /jobs");
    return jobId;
  }

  private Map<String, Object> summary(
      JsonNode status,
      ResultCensus.Census census,
      int maxConnections,
      long primaryQueries,
      double seedRate,
      Instant demoStart) {
    Instant submitted = Instant.parse(status.path("submitted_at").asText());
    Instant finished = Instant.parse(status.path("finished_at").asText());
    long elapsedMs = Math.max(1, Duration.between(submitted, finished).toMillis());
    long finishedCalls =
        status.path("processed").asLong() + status.path("skipped").asLong() + status.path("failed").asLong();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("job_id", status.path("job_id").asText());
    summary.put("status", status.path("status").asText());
    summary.put("processor", options.processor());
    summary.put("nodes", 1);
    summary.put("calls", options.calls());
    summary.put("processed", status.path("processed").asLong());
    summary.put("skipped", status.path("skipped").asLong());
    summary.put("failed", status.path("failed").asLong());
    summary.put("results_in_cassandra", census.rows());
    summary.put("elapsed_ms", elapsedMs);
    summary.put("calls_per_second", Math.round(finishedCalls * 1000.0 / elapsedMs));
    summary.put("primary_db_max_connections", maxConnections);
    summary.put("primary_db_queries", primaryQueries);
    summary.put("seed_calls_per_second", Math.round(seedRate));
    summary.put(
        "first_result_ms",
        census.firstWrittenByJob() == null
            ? null
            : Duration.between(demoStart, census.firstWrittenByJob()).toMillis());
    return summary;
  }

  private void report(Map<String, Object> summary) throws IOException {
    PrintStream human = options.json() ? err : out;
    human.println();
    human.printf(
        "%s: %,d calls -> %,d processed, %,d skipped, %,d failed in %.1f s (%,d calls/s)%n",
        summary.get("status"),
        (Integer) summary.get("calls"),
        (Long) summary.get("processed"),
        (Long) summary.get("skipped"),
        (Long) summary.get("failed"),
        (Long) summary.get("elapsed_ms") / 1000.0,
        (Long) summary.get("calls_per_second"));
    human.printf("results counted in Cassandra: %,d%n", (Long) summary.get("results_in_cassandra"));
    human.printf(
        "primary database, as it saw the engine: at most %d connections, %,d queries%n",
        (Integer) summary.get("primary_db_max_connections"),
        (Long) summary.get("primary_db_queries"));
    human.printf("first result written %s ms after the demo started%n", summary.get("first_result_ms"));
    if (options.json()) {
      out.println(ApiJson.MAPPER.writeValueAsString(summary));
    }
  }

  private void holdUntilInterrupted(BackfillNode node, LocalStores stores) throws InterruptedException {
    err.println("--keep: the node and stores keep running. API: " + node.apiUrl() + "  (Ctrl-C stops all)");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  node.close();
                  stores.close();
                  stopped.countDown();
                }));
    stopped.await();
  }

  /** The demo starts from nothing every time, so its figures are comparable run to run. */
  private static void wipe(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
