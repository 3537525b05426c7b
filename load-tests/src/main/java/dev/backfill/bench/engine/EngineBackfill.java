package dev.backfill.bench.engine;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.demo.ChildNodes;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.protocol.http.SubmitJobRequest;
import dev.backfill.stores.Endpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The engine as a user runs it: K nodes (separate JVMs launched with config files) at their
 * default settings, one job submitted over HTTP. Each run writes into a keyspace of its own, so
 * that every call is really processed (results from an earlier run would make this one skip).
 */
public final class EngineBackfill implements AutoCloseable {

  /** The engine's progress as its own API reports it. */
  public record Progress(String status, long processed, long skipped, long failed, String reason) {}

  private final ChildNodes nodes;
  private final ApiClient api;
  private final CqlSession results;
  private String jobId;

  private EngineBackfill(ChildNodes nodes, ApiClient api, CqlSession results) {
    this.nodes = nodes;
    this.api = api;
    this.results = results;
  }

  /** Starts the nodes, creates the run's keyspace, submits the job and returns once it is running. */
  public static EngineBackfill start(
      int nodeCount, Endpoints stores, EngineSettings base, String keyspace, String processor, Path directory)
      throws IOException {
    return start(nodeCount, stores, base, keyspace, processor, directory, "", List.of());
  }

  /**
   * ... with {@code extraConfig} (HOCON lines) in every node's config file and {@code jvmOptions}
   * on every node's JVM.
   */
  public static EngineBackfill start(
      int nodeCount,
      Endpoints stores,
      EngineSettings base,
      String keyspace,
      String processor,
      Path directory,
      String extraConfig,
      List<String> jvmOptions)
      throws IOException {
    EngineBackfill backfill = launch(nodeCount, stores, base, keyspace, directory, extraConfig, jvmOptions);
    try {
      backfill.submit(processor);
      return backfill;
    } catch (RuntimeException | IOException e) {
      backfill.close();
      throw e;
    }
  }

  /** Starts the nodes in a keyspace of their own, with no job yet ({@link #submit}). */
  public static EngineBackfill launch(
      int nodeCount,
      Endpoints stores,
      EngineSettings base,
      String keyspace,
      Path directory,
      String extraConfig,
      List<String> jvmOptions)
      throws IOException {
    EngineSettings settings = withKeyspace(base, keyspace);
    try (CqlSession session = CassandraSessions.withoutKeyspace(settings.cassandra())) {
      new SchemaInstaller(settings).installCassandra(session);
    }
    ChildNodes nodes = ChildNodes.start(nodeCount, stores, keyspace, directory, extraConfig, jvmOptions);
    try {
      CqlSession results = CassandraSessions.withKeyspace(settings.cassandra());
      return new EngineBackfill(nodes, new ApiClient(nodes.apiUrls().get(0)), results);
    } catch (RuntimeException e) {
      nodes.close();
      throw e;
    }
  }

  /** Submits one job over every call, through the first node, and returns once it has done some. */
  public void submit(String processor) throws IOException {
    String body =
        ApiJson.MAPPER.writeValueAsString(new SubmitJobRequest(processor, 1, null, null, null, Map.of(), null, null));
    ApiClient.Reply reply = api.post("/jobs", body);
    if (reply.status() != 202) {
      throw new IllegalStateException("the engine refused the job: HTTP " + reply.status() + " " + reply.body());
    }
    jobId = ApiJson.MAPPER.readTree(reply.body()).path("job_id").asText();
    awaitFirstCalls();
  }

  /** The nodes running the job. */
  public ChildNodes nodes() {
    return nodes;
  }

  public Progress progress() throws IOException {
    ApiClient.Reply reply = api.get("/jobs/" + jobId);
    if (!reply.ok()) {
      throw new IllegalStateException("GET /jobs/" + jobId + ": HTTP " + reply.status() + " " + reply.body());
    }
    JsonNode job = ApiJson.MAPPER.readTree(reply.body());
    return new Progress(
        job.path("status").asText(),
        job.path("processed").asLong(),
        job.path("skipped").asLong(),
        job.path("failed").asLong(),
        job.path("reason").asText(null));
  }

  /** The governor's own view, for the report's record of what the engine thought. */
  public String governorView() {
    return api.get("/governor").body();
  }

  /** Cancels the job and waits until the calls in flight have finished and been checkpointed. */
  public Progress cancel() throws IOException {
    api.post("/jobs/" + jobId + "/cancel", "{}");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    Progress progress = progress();
    while (!isFinal(progress.status()) && System.nanoTime() < deadline) {
      pause(Duration.ofMillis(200));
      progress = progress();
    }
    return progress;
  }

  /**
   * Result rows in this run's keyspace, counted in Cassandra. The keyspace is the run's own, so
   * this is the number of calls the engine has really processed, checkpointed or not.
   */
  public long resultsInStore() {
    long rows = 0;
    for (var ignored :
        results.execute(
            SimpleStatement.newInstance("SELECT call_id FROM call_results").setPageSize(5000).setTimeout(Duration.ofSeconds(60)))) {
      rows++;
    }
    return rows;
  }

  @Override
  public void close() {
    try {
      results.close();
    } finally {
      nodes.close();
    }
  }

  private void awaitFirstCalls() throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      Progress progress = progress();
      if (progress.processed() + progress.skipped() > 0) {
        return;
      }
      if (isFinal(progress.status())) {
        throw new IllegalStateException("the job ended before processing a call: " + progress);
      }
      pause(Duration.ofMillis(200));
    }
    throw new IllegalStateException("the job processed no call within 120 s");
  }

  private static boolean isFinal(String status) {
    return status.equals("COMPLETED") || status.equals("CANCELLED") || status.equals("FAILED");
  }

  /** The settings with results and ledger in {@code keyspace}. */
  public static EngineSettings withKeyspace(EngineSettings base, String keyspace) {
    var c = base.cassandra();
    return new EngineSettings(
        base.primary(),
        base.journal(),
        new EngineSettings.CassandraSettings(
            c.contactPoints(), c.localDatacenter(), keyspace, c.replicationFactor(), c.requestTimeout(), c.schemaTimeout()),
        base.calls(),
        base.jobs(),
        base.results());
  }

  /** Polling interval of a status loop: a wait for a condition, bounded by its deadline. */
  private static void pause(Duration interval) {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
