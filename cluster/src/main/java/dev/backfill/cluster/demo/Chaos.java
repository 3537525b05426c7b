package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.governor.RuntimeLimits;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.protocol.http.SubmitJobRequest;
import dev.backfill.stores.LocalStores;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The operator's self-check, and our proof: a backfill on K nodes (separate JVMs) while nodes are
 * killed with kill -9 at random moments and started again, then a count in the stores themselves
 * of what is missing, what is there twice, and what was done again.
 */
public final class Chaos {

  private static final String PROCESSOR = "talk-ratio";

  public record Options(int calls, int nodes, int kills, long seed, boolean json, Path directory) {}

  /** The figures, and whether nothing was lost or done twice. */
  public record Result(Map<String, Object> figures, boolean sound) {}

  /** Every result write also lands in result_writes: duplicates and redone are counted there. */
  private static final String AUDIT_ON = "backfill.results.audit = on\n";

  private final Options options;
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;

  public Chaos(Options options) {
    this.options = options;
  }

  public Result run() throws Exception {
    Folders.wipe(options.directory());
    Files.createDirectories(options.directory());
    err.println("starting PostgreSQL and Cassandra in " + options.directory() + " ...");
    try (LocalStores stores = LocalStores.start(LocalStores.Layout.ephemeral(options.directory()))) {
      Config config = NodeConfig.load(Optional.empty(), NodeConfig.forStores(stores.endpoints()));
      EngineSettings settings = EngineSettings.create(config);
      new SchemaInstaller(settings).installAll();
      var primary = settings.primary();
      err.printf("seeding %,d calls ...%n", options.calls());
      CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, options.calls(), options.seed());

      long start = System.nanoTime();
      long recoveryMax = 0;
      int kills = 0;
      JsonNode finalStatus;
      try (ChildNodes nodes =
          ChildNodes.start(
              options.nodes(),
              stores.endpoints(),
              settings.cassandra().keyspace(),
              options.directory(),
              Demo.NO_LIVE_TRAFFIC + AUDIT_ON)) {
        List<ApiClient> apis = nodes.apiUrls().stream().map(ApiClient::new).toList();
        String jobId = submit(apis.get(0));
        Random random = new Random(options.seed());
        while (kills < options.kills()) {
          long wait = 3_000 + random.nextInt(5_000);
          if (awaitEndOrTimeout(apis, jobId, wait)) {
            err.println("the job finished before every kill was made");
            break;
          }
          // The first kill takes the node running the job itself, the hardest case; later ones
          // are random.
          int host = status(apis, -1, jobId).map(s -> nodes.indexOf(s.path("hosted_by").asText())).orElse(-1);
          int victim = kills == 0 && host >= 0 ? host : random.nextInt(nodes.size());
          long before = finished(apis, victim, jobId);
          long killedAt = System.nanoTime();
          err.printf(
              "kill -9 node %d%s at %,d calls finished%n", victim + 1, victim == host ? " (it runs the job)" : "", before);
          nodes.kill(victim);
          kills++;
          nodes.restart(victim);
          long recovery = awaitProgress(apis, jobId, before, killedAt);
          err.printf("  node %d back; the job made progress again %,d ms after the kill%n", victim + 1, recovery);
          recoveryMax = Math.max(recoveryMax, recovery);
        }
        finalStatus = awaitEnd(apis, jobId);
      }
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      Map<String, Object> figures =
          verify(settings, finalStatus, kills, recoveryMax, elapsedMs);
      report(figures);
      boolean sound =
          (Long) figures.get("missing") == 0
              && (Long) figures.get("duplicates") == 0
              && (Long) figures.get("unaudited") == 0
              && (Long) figures.get("ledger_missing") == 0
              && "COMPLETED".equals(figures.get("status"));
      return new Result(figures, sound);
    }
  }

  private Map<String, Object> verify(
      EngineSettings settings, JsonNode status, int kills, long recoveryMax, long elapsedMs) {
    String jobId = status.path("job_id").asText();
    long rows = 0;
    Set<Long> calls = new HashSet<>();
    long ledgerRows = 0;
    Set<Long> ledgerCalls = new HashSet<>();
    ResultWriteCensus.Counts writes;
    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      writes = ResultWriteCensus.count(session, PROCESSOR, 1);
      SimpleStatement scan =
          SimpleStatement.newInstance("SELECT call_id, processor, version FROM results")
              .setPageSize(5000)
              .setTimeout(Duration.ofSeconds(60));
      for (Row row : session.execute(scan)) {
        if (PROCESSOR.equals(row.getString("processor")) && row.getInt("version") == 1) {
          rows++;
          calls.add(row.getLong("call_id"));
        }
      }
      for (long bucket = 0; bucket <= OutcomeLedger.bucketOf(options.calls()); bucket++) {
        for (Row row : session.execute("SELECT call_id FROM ledger WHERE job_id = ? AND bucket = ?", jobId, bucket)) {
          ledgerRows++;
          ledgerCalls.add(row.getLong(0));
        }
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("status", status.path("status").asText());
    figures.put("nodes", options.nodes());
    figures.put("calls", options.calls());
    figures.put("kills", kills);
    figures.put("results_in_cassandra", rows);
    figures.put("missing", (long) options.calls() - calls.size());
    // From the audit: the results table keeps one row per call however often it is written, so
    // its rows minus its calls is 0 whatever happened.
    figures.put("result_writes", writes.writes());
    figures.put("duplicates", writes.duplicates());
    // Calls with a result but no audited write: non-zero if the audit was off on some node, and
    // then "no duplicates" would prove nothing.
    figures.put("unaudited", calls.size() - writes.calls());
    figures.put("ledger_missing", (long) options.calls() - ledgerCalls.size());
    figures.put("ledger_duplicates", ledgerRows - ledgerCalls.size());
    figures.put("redone", writes.redone());
    // The engine's own counter, beside the audit's facts: calls asked again after a crash whose
    // result was already there (on fresh data only this job can have written it). Not a count of
    // work done twice: a call answered from its entity's memory is not in it.
    figures.put("skipped", status.path("skipped").asLong());
    figures.put("failed", status.path("failed").asLong());
    figures.put("recovery_ms_max", recoveryMax);
    figures.put("elapsed_ms", elapsedMs);
    return figures;
  }

  private void report(Map<String, Object> figures) throws Exception {
    PrintStream human = options.json() ? err : out;
    human.printf(
        "%s after %d kill(s): %,d results for %,d calls; missing %d, duplicates %d, unaudited %d,"
            + " ledger missing %d; %,d calls analysed twice, %,d asked again after a kill and found done;"
            + " slowest recovery %,d ms%n",
        figures.get("status"),
        (Integer) figures.get("kills"),
        (Long) figures.get("results_in_cassandra"),
        (Integer) figures.get("calls"),
        (Long) figures.get("missing"),
        (Long) figures.get("duplicates"),
        (Long) figures.get("unaudited"),
        (Long) figures.get("ledger_missing"),
        (Long) figures.get("redone"),
        (Long) figures.get("skipped"),
        (Long) figures.get("recovery_ms_max"));
    if (options.json()) {
      out.println(ApiJson.MAPPER.writeValueAsString(figures));
    }
  }

  /**
   * The job is paced with its own cap so that it outlasts every kill: each kill comes 3-8 s after
   * the previous node is back, and a killed node takes a few seconds to start again.
   */
  private Double pace() {
    if (options.kills() == 0) {
      return null;
    }
    double pace = Math.max(50.0, options.calls() / (options.kills() * 15.0 + 10.0));
    return Math.min(RuntimeLimits.CALLS_PER_SECOND.high(), pace);
  }

  private String submit(ApiClient api) throws Exception {
    String body =
        ApiJson.MAPPER.writeValueAsString(
            new SubmitJobRequest(PROCESSOR, 1, null, null, null, Map.of(), null, pace()));
    ApiClient.Reply reply = api.post("/jobs", body);
    if (reply.status() != 202) {
      throw new CliException("the API refused the job: HTTP " + reply.status() + " " + reply.body());
    }
    String jobId = ApiJson.MAPPER.readTree(reply.body()).path("job_id").asText();
    err.println("submitted job " + jobId + (pace() == null ? "" : String.format(" (paced at %.0f calls/s)", pace())));
    return jobId;
  }

  /** True if the job ended within {@code millis}. */
  private boolean awaitEndOrTimeout(List<ApiClient> apis, String jobId, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> status = status(apis, -1, jobId);
      if (status.isPresent() && ended(status.get())) {
        return true;
      }
      Thread.sleep(250);
    }
    return false;
  }

  private JsonNode awaitEnd(List<ApiClient> apis, String jobId) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> status = status(apis, -1, jobId);
      if (status.isPresent() && ended(status.get())) {
        return status.get();
      }
      Thread.sleep(250);
    }
    throw new CliException("the job did not end within 20 minutes");
  }

  /** Milliseconds from the kill until the job's finished count grows past what it was. */
  private long awaitProgress(List<ApiClient> apis, String jobId, long before, long killedAt)
      throws InterruptedException {
    long deadline = killedAt + TimeUnit.MINUTES.toNanos(5);
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> status = status(apis, -1, jobId);
      if (status.isPresent() && (finishedOf(status.get()) > before || ended(status.get()))) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      }
      Thread.sleep(100);
    }
    throw new CliException("the job made no progress within 5 minutes of a kill");
  }

  private long finished(List<ApiClient> apis, int excluded, String jobId) {
    return status(apis, excluded, jobId).map(Chaos::finishedOf).orElse(0L);
  }

  /** The job's status from the first node that answers (skipping {@code excluded}). */
  private static Optional<JsonNode> status(List<ApiClient> apis, int excluded, String jobId) {
    for (int i = 0; i < apis.size(); i++) {
      if (i == excluded) {
        continue;
      }
      try {
        ApiClient.Reply reply = apis.get(i).get("/jobs/" + jobId);
        if (reply.ok()) {
          return Optional.of(ApiJson.MAPPER.readTree(reply.body()));
        }
      } catch (Exception notNow) {
        // that node is down or busy: ask the next
      }
    }
    return Optional.empty();
  }

  private static long finishedOf(JsonNode status) {
    return status.path("processed").asLong() + status.path("skipped").asLong() + status.path("failed").asLong();
  }

  private static boolean ended(JsonNode status) {
    String phase = status.path("status").asText();
    return phase.equals("COMPLETED") || phase.equals("FAILED") || phase.equals("CANCELLED");
  }
}
