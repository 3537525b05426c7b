package dev.backfill.cluster.demo;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.cli.CliException;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.local.CpuPriority;
import dev.backfill.cluster.node.NodeConfig;
import dev.backfill.cluster.seed.CallSeeder;
import dev.backfill.engine.governor.RuntimeLimits;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.protocol.http.SubmitJobRequest;
import dev.backfill.stores.Endpoints;
import dev.backfill.stores.LocalStores;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The operator's self-check, and our proof: a backfill on K nodes (separate JVMs) while nodes are
 * killed with kill -9 at random moments and started again, and, if asked, while Cassandra and
 * PostgreSQL are stopped and started again in place; then a count in the stores themselves of
 * what is missing, what is there twice, and what was done again.
 *
 * <p>Recovery is timed from the moment kill -9 is sent to the first checkpoint the journal
 * accepts after it, read from the journal's table (see {@link JournalProgress}); when the killed
 * node ran the job, from the first one written by another incarnation of the job's supervisor (the
 * table's {@code writer}), so that a checkpoint the dead node had sent and the journal committed
 * later does not pass for the recovery; no sleep guesses when that one has committed. The killed
 * node is started again only after that, so that the figure is the cluster's own failure
 * detection, downing and hand-over, not the restart; while it waits, nothing asks any node about
 * the job (a status request would wake it, which sharding must do by itself).
 */
public final class Chaos {

  private static final String PROCESSOR = "talk-ratio";
  private static final int VERSION = 1;

  /**
   * @param storeOutages after the kills, stop Cassandra and then PostgreSQL, each for {@link
   *     #OUTAGE}, and start them again on the same data and ports
   * @param separateJournal the journal on a PostgreSQL server of its own (as in production), so
   *     that the outages stop the primary and the journal in turn
   */
  public record Options(
      int calls,
      int nodes,
      int kills,
      boolean storeOutages,
      boolean separateJournal,
      long seed,
      boolean json,
      Path directory) {}

  /** The figures, and whether nothing was lost, done twice or failed. */
  public record Result(Map<String, Object> figures, boolean sound) {}

  /**
   * One kill -9.
   *
   * @param node the killed node, 1-based
   * @param address its cluster address
   * @param hostedBy the node running the job just before the kill, as {@code GET /jobs/{id}} said
   *     ({@code hosted_by}); null if no node answered
   * @param hostedJob whether the killed node was that node
   * @param recoveryMs from sending kill -9 to the first checkpoint the journal accepted after it (to
   *     within 100 ms); when the killed node ran the job, the first that its incarnation there
   *     cannot have written
   * @param restartedFirst the job had not gone on a minute after the kill, and the killed node was
   *     started again before it did: then the recovery leant on the restart
   */
  public record Kill(
      int node, String address, String hostedBy, boolean hostedJob, long recoveryMs, boolean restartedFirst) {}

  /**
   * One store stopped and started again.
   *
   * @param downMs from the stop until the store answered again (its own start included)
   * @param resumedMs from the store answering again to the job's next checkpoint in the journal
   */
  public record Outage(String store, long downMs, long resumedMs) {}

  /** Every result write is also audited (backfill.results.audit): duplicates and redone are counted there. */
  private static final String AUDIT_ON = "backfill.results.audit = on\n";

  /** How long each store stays down. */
  static final Duration OUTAGE = Duration.ofSeconds(30);

  /** A kill with no progress by then gets its node started again, so that the run can go on. */
  private static final Duration RESTART_AFTER = Duration.ofSeconds(60);

  private static final Duration PROGRESS_LIMIT = Duration.ofMinutes(5);

  /**
   * What the schedule is expected to take, to pace the job so that it outlasts every kill and
   * outage: a kill is a wait of 3-8 s, the recovery and the node started again and Up; an outage a
   * wait, 30 s down, the store's start (Cassandra's takes tens of seconds) and the job's return.
   */
  private static final long KILL_SECONDS = 35;

  private static final long OUTAGE_SECONDS = 100;
  private static final long SLACK_SECONDS = 20;

  /** The job is paced to need this many times the expected schedule; the cap goes once it is over. */
  private static final double PACE_MARGIN = 1.5;

  /** The slowest pace the schedule asks for: a job close to its end still has calls to take. */
  private static final double SLOWEST_PACE = 0.2;

  private enum Store {
    CASSANDRA,
    POSTGRES,
    JOURNAL
  }

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
    LocalStores.Layout layout =
        options.separateJournal()
            ? LocalStores.Layout.ephemeralWithSeparateJournal(options.directory())
            : LocalStores.Layout.ephemeral(options.directory());
    CpuPriority cpuPriority;
    try {
      cpuPriority = CpuPriority.fromEnvironment();
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    try (LocalStores stores = LocalStores.start(layout)) {
      // As `./backfill stores start` does: Cassandra is the engine's, the primary comes first.
      err.println("Cassandra runs at " + cpuPriority.applyTo(stores.cassandraPid()));
      return run(stores.endpoints(), null, stores, cpuPriority);
    }
  }

  /**
   * Runs on stores that someone else started and stops (a test's, shared by its other tests), in
   * the primary and journal databases {@code endpoints} names and in {@code keyspace}: kills only,
   * no store outages, and nothing in {@code options.directory()} but the nodes' files.
   */
  public Result runOn(Endpoints endpoints, String keyspace) throws Exception {
    if (options.storeOutages()) {
      throw new IllegalArgumentException("store outages need stores of chaos's own");
    }
    Folders.wipe(options.directory());
    Files.createDirectories(options.directory());
    return run(endpoints, keyspace, null, null);
  }

  /** {@code stores} and {@code cpuPriority}: null when the stores are not chaos's own (no outages). */
  private Result run(Endpoints endpoints, String keyspace, LocalStores stores, CpuPriority cpuPriority)
      throws Exception {
    Map<String, Object> storeConfig = new HashMap<>(NodeConfig.forStores(endpoints));
    if (keyspace != null) {
      storeConfig.put("backfill.cassandra.keyspace", keyspace);
    }
    Config config = NodeConfig.load(Optional.empty(), storeConfig);
    EngineSettings settings = EngineSettings.create(config);
    new SchemaInstaller(settings).installAll();
    var primary = settings.primary();
    err.printf("seeding %,d calls ...%n", options.calls());
    CallSeeder.seed(primary.url(), primary.user(), primary.password(), 1, options.calls(), options.seed());

    long start = System.nanoTime();
    List<Kill> kills = new ArrayList<>();
    List<Outage> outages = new ArrayList<>();
    int unplannedRestarts = 0;
    JsonNode finalStatus;
    try (ChildNodes nodes =
        ChildNodes.start(
            options.nodes(),
            endpoints,
            settings.cassandra().keyspace(),
            options.directory(),
            Demo.NO_LIVE_TRAFFIC + AUDIT_ON)) {
      List<ApiClient> apis = nodes.apiUrls().stream().map(ApiClient::new).toList();
      List<Store> plannedOutages = stores == null ? List.of() : outagePlan(stores);
      String jobId = submit(apis.get(0), pace(scheduleSeconds(options.kills(), plannedOutages.size())));
      try (JournalProgress journal =
          new JournalProgress(endpoints.journalUrl(), endpoints.user(), endpoints.password(), jobId)) {
        Random random = new Random(options.seed());
        boolean ended = false;
        while (!ended && kills.size() < options.kills()) {
          unplannedRestarts += restartExitedNodes(nodes);
          keepRunning(apis, jobId, scheduleSeconds(options.kills() - kills.size(), plannedOutages.size()));
          ended = awaitEndOrTimeout(apis, jobId, 3_000 + random.nextInt(5_000));
          if (!ended) {
            kills.add(kill(nodes, apis, journal, jobId, kills.isEmpty(), random));
          }
        }
        for (int i = 0; !ended && i < plannedOutages.size(); i++) {
          unplannedRestarts += restartExitedNodes(nodes);
          keepRunning(apis, jobId, scheduleSeconds(0, plannedOutages.size() - i));
          ended = awaitEndOrTimeout(apis, jobId, 3_000 + random.nextInt(5_000));
          if (!ended) {
            outages.add(outage(stores, journal, plannedOutages.get(i), cpuPriority));
          }
        }
        if (ended) {
          err.println("the job finished before every kill and outage was made");
        }
        unplannedRestarts += restartExitedNodes(nodes);
        uncap(apis, jobId);
        finalStatus = awaitEnd(apis, jobId);
      }
    }
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    Map<String, Object> figures = verify(settings, finalStatus, kills, outages, unplannedRestarts, elapsedMs);
    report(figures);
    boolean sound =
        (Long) figures.get("missing") == 0
            && (Long) figures.get("duplicates") == 0
            && (Long) figures.get("unaudited") == 0
            && (Long) figures.get("ledger_missing") == 0
            // A chaos run has no malformed calls: a failed one is a kill or an outage taken
            // for the call's own fault.
            && (Long) figures.get("failed") == 0
            && "COMPLETED".equals(figures.get("status"));
    return new Result(figures, sound);
  }

  /**
   * Kills the node running the job (the first time) or a random one, and times the job's recovery
   * from the journal; then starts the node again and waits until it is an Up member.
   */
  private Kill kill(
      ChildNodes nodes, List<ApiClient> apis, JournalProgress journal, String jobId, boolean first, Random random)
      throws Exception {
    String hostedBy = hostedBy(apis, jobId, first ? Duration.ofSeconds(60) : Duration.ofSeconds(5));
    int host = nodes.indexOf(hostedBy);
    if (first && host < 0) {
      throw new CliException("no node said it runs job " + jobId + " (hosted_by " + hostedBy + "): cannot kill it first");
    }
    int victim = first ? host : random.nextInt(nodes.size());
    // When the node running the job dies, a checkpoint it sent just before may still commit after
    // the kill: only one written by another incarnation of the job's supervisor (or further than
    // the dead one could have had in flight) counts. The mark is read right before the kill, so its
    // writer is the incarnation killed. When another node dies, the job's own progress counts.
    boolean hostDies = host < 0 || victim == host;
    JournalProgress.Mark before = journal.mark();
    long killedAt = System.nanoTime();
    nodes.kill(victim);
    err.printf("kill -9 node %d%s%n", victim + 1, victim == host ? " (it runs the job)" : "");
    OptionalLong progressed = awaitRecovery(journal, before, hostDies, killedAt + RESTART_AFTER.toNanos());
    boolean restartedFirst = progressed.isEmpty();
    if (restartedFirst) {
      err.printf(
          "  no checkpoint %d s after the kill: starting node %d again so that the run goes on%n",
          RESTART_AFTER.toSeconds(), victim + 1);
      nodes.restart(victim);
      progressed = awaitRecovery(journal, before, hostDies, killedAt + PROGRESS_LIMIT.toNanos());
      if (progressed.isEmpty()) {
        throw new CliException("the job made no progress within " + PROGRESS_LIMIT.toMinutes() + " minutes of a kill");
      }
    }
    long recoveryMs = TimeUnit.NANOSECONDS.toMillis(progressed.getAsLong() - killedAt);
    err.printf(
        "  the journal accepted the job's next checkpoint%s %,d ms after the kill%n",
        hostDies ? " from a new incarnation" : "", recoveryMs);
    if (!restartedFirst) {
      nodes.restart(victim);
    }
    nodes.awaitReady(victim);
    return new Kill(victim + 1, nodes.address(victim), hostedBy, victim == host, recoveryMs, restartedFirst);
  }

  private static OptionalLong awaitRecovery(
      JournalProgress journal, JournalProgress.Mark before, boolean hostDied, long deadlineNanos)
      throws InterruptedException {
    return hostDied
        ? journal.awaitProgressAfterItsWriterDied(before, deadlineNanos)
        : journal.awaitProgress(before, deadlineNanos);
  }

  /**
   * Cassandra, then PostgreSQL: the primary and the journal together when they share a server (the
   * default here), each in turn when the journal has its own.
   */
  private List<Store> outagePlan(LocalStores stores) {
    if (!options.storeOutages()) {
      return List.of();
    }
    return stores.separateJournal()
        ? List.of(Store.CASSANDRA, Store.POSTGRES, Store.JOURNAL)
        : List.of(Store.CASSANDRA, Store.POSTGRES);
  }

  private Outage outage(LocalStores stores, JournalProgress journal, Store store, CpuPriority cpuPriority)
      throws Exception {
    String name = name(store, stores);
    err.printf("stopping %s for %d s%n", name, OUTAGE.toSeconds());
    long stoppedAt = System.nanoTime();
    switch (store) {
      case CASSANDRA -> stores.stopCassandra();
      case POSTGRES -> stores.stopPostgres();
      case JOURNAL -> stores.stopJournal();
    }
    try {
      Thread.sleep(OUTAGE.toMillis());
    } finally {
      switch (store) {
        // Started in the background (BACKFILL_CPU_PRIORITY, split counting as background) from its
        // first instruction: at normal priority its start would take both cores from the nodes'
        // data planes for seconds, and their control planes at nice 19 would get little of them.
        case CASSANDRA -> stores.startCassandra(cpuPriority.launcher());
        case POSTGRES -> stores.startPostgres();
        case JOURNAL -> stores.startJournal();
      }
    }
    long backAt = System.nanoTime();
    JournalProgress.Mark back = journal.mark();
    OptionalLong progressed = journal.awaitProgress(back, backAt + PROGRESS_LIMIT.toNanos());
    if (progressed.isEmpty()) {
      throw new CliException(
          "the job made no progress within " + PROGRESS_LIMIT.toMinutes() + " minutes of " + name + " coming back");
    }
    Outage outage =
        new Outage(
            name,
            TimeUnit.NANOSECONDS.toMillis(backAt - stoppedAt),
            TimeUnit.NANOSECONDS.toMillis(progressed.getAsLong() - backAt));
    err.printf(
        "  %s answered again after %,d ms; the job's next checkpoint %,d ms later%n",
        name, outage.downMs(), outage.resumedMs());
    return outage;
  }

  private static String name(Store store, LocalStores stores) {
    return switch (store) {
      case CASSANDRA -> "Cassandra";
      case POSTGRES -> stores.separateJournal() ? "PostgreSQL (primary)" : "PostgreSQL (primary and journal)";
      case JOURNAL -> "PostgreSQL (journal)";
    };
  }

  /**
   * A node whose process ended without being killed was downed by the others (it missed their
   * heartbeats for too long: see cluster.conf) and left; it is started again, and counted.
   */
  private int restartExitedNodes(ChildNodes nodes) throws Exception {
    int restarted = 0;
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.isAlive(i)) {
        err.printf("node %d ended by itself (downed by the cluster?): starting it again%n", i + 1);
        nodes.restart(i);
        nodes.awaitReady(i);
        restarted++;
      }
    }
    return restarted;
  }

  private Map<String, Object> verify(
      EngineSettings settings,
      JsonNode status,
      List<Kill> kills,
      List<Outage> outages,
      int unplannedRestarts,
      long elapsedMs) {
    String jobId = status.path("job_id").asText();
    ResultCensus.Calls results;
    ResultCensus.Calls ledger;
    ResultWriteCensus.Counts writes;
    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra())) {
      writes = ResultCensus.writesOf(session, PROCESSOR, VERSION);
      results = ResultCensus.resultsOf(session, PROCESSOR, VERSION);
      ledger = ResultCensus.ledgerOf(session, jobId, options.calls());
    }
    List<Long> recoveries = kills.stream().map(Kill::recoveryMs).sorted().toList();
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("status", status.path("status").asText());
    figures.put("nodes", options.nodes());
    figures.put("calls", options.calls());
    figures.put("kills", kills.size());
    // The kills of the node running the job: the others' recovery is often only the job's next
    // checkpoint, unless the governor or the shard coordinator ran on the killed node.
    figures.put("host_kills", kills.stream().filter(Kill::hostedJob).count());
    figures.put("outages", outages.size());
    figures.put("results_in_cassandra", results.rows());
    figures.put("missing", (long) options.calls() - results.distinct());
    // From the audit: the results table keeps one row per call however often it is written, so
    // its rows minus its calls is 0 whatever happened.
    figures.put("result_writes", writes.writes());
    figures.put("duplicates", writes.duplicates());
    // Calls with a result but no audited write: non-zero if the audit was off on some node, and
    // then "no duplicates" would prove nothing.
    figures.put("unaudited", results.distinct() - writes.calls());
    figures.put("ledger_missing", (long) options.calls() - ledger.distinct());
    figures.put("ledger_duplicates", ledger.rows() - ledger.distinct());
    figures.put("redone", writes.redone());
    // The engine's own counter, beside the audit's facts: calls whose result another job had
    // written. On fresh data there is none: a call asked again after a crash finds the result this
    // job wrote and counts as processed (StoredResult), so anything here is a call miscounted.
    figures.put("skipped", status.path("skipped").asLong());
    figures.put("failed", status.path("failed").asLong());
    figures.put("recovery_ms_max", recoveries.isEmpty() ? null : recoveries.get(recoveries.size() - 1));
    figures.put("recovery_ms_p50", recoveries.isEmpty() ? null : recoveries.get((recoveries.size() - 1) / 2));
    figures.put("restarted_before_recovery", kills.stream().filter(Kill::restartedFirst).count());
    figures.put(
        "outage_resumed_ms_max", outages.stream().map(Outage::resumedMs).max(Long::compare).orElse(null));
    figures.put("unplanned_restarts", unplannedRestarts);
    figures.put("elapsed_ms", elapsedMs);
    figures.put("kill_log", Collections.unmodifiableList(kills));
    figures.put("outage_log", Collections.unmodifiableList(outages));
    return figures;
  }

  private void report(Map<String, Object> figures) throws Exception {
    PrintStream human = options.json() ? err : out;
    human.printf(
        "%s after %d kill(s) and %d store outage(s): %,d results for %,d calls; missing %d, duplicates %d,"
            + " unaudited %d, ledger missing %d; %,d calls analysed twice, %,d skipped (another job's result)%n",
        figures.get("status"),
        (Integer) figures.get("kills"),
        (Integer) figures.get("outages"),
        (Long) figures.get("results_in_cassandra"),
        (Integer) figures.get("calls"),
        (Long) figures.get("missing"),
        (Long) figures.get("duplicates"),
        (Long) figures.get("unaudited"),
        (Long) figures.get("ledger_missing"),
        (Long) figures.get("redone"),
        (Long) figures.get("skipped"));
    if (figures.get("recovery_ms_max") != null) {
      human.printf(
          "recovery from a kill to the journal's next checkpoint: median %,d ms, slowest %,d ms"
              + " (%d kill(s) recovered only after the node was started again)%n",
          (Long) figures.get("recovery_ms_p50"),
          (Long) figures.get("recovery_ms_max"),
          (Long) figures.get("restarted_before_recovery"));
    }
    if (figures.get("outage_resumed_ms_max") != null) {
      human.printf(
          "after a store outage the job checkpointed again within %,d ms of the store answering%n",
          (Long) figures.get("outage_resumed_ms_max"));
    }
    if ((Integer) figures.get("unplanned_restarts") > 0) {
      human.printf(
          "%d node(s) left the cluster without being killed (downed by the others) and were started again%n",
          (Integer) figures.get("unplanned_restarts"));
    }
    if (options.json()) {
      out.println(ApiJson.MAPPER.writeValueAsString(figures));
    }
  }

  /** Seconds the rest of the schedule is expected to take, before the job's end (see the constants). */
  private static long scheduleSeconds(int killsLeft, int outagesLeft) {
    long events = killsLeft * KILL_SECONDS + outagesLeft * OUTAGE_SECONDS;
    return events == 0 ? 0 : SLACK_SECONDS + events;
  }

  /** The job's cap, so that it needs more than the schedule; none when nothing is scheduled. */
  private Double pace(long scheduleSeconds) {
    if (scheduleSeconds == 0) {
      return null;
    }
    double pace = Math.max(SLOWEST_PACE, options.calls() / (scheduleSeconds * PACE_MARGIN));
    return Math.min(RuntimeLimits.CALLS_PER_SECOND.high(), pace);
  }

  /**
   * Slows the job down if, at its cap, it would end before the rest of the schedule (the expected
   * times are only estimates); never speeds it up.
   */
  private void keepRunning(List<ApiClient> apis, String jobId, long scheduleSeconds) throws Exception {
    Optional<JsonNode> status = status(apis, jobId);
    if (status.isEmpty() || status.get().path("total_calls").asLong() <= 0 || scheduleSeconds == 0) {
      return;
    }
    long left = status.get().path("total_calls").asLong() - finishedOf(status.get());
    double needed = Math.max(SLOWEST_PACE, left / (scheduleSeconds * PACE_MARGIN));
    JsonNode cap = status.get().path("max_calls_per_second");
    if (cap.isNumber() && cap.asDouble() <= needed) {
      return;
    }
    err.printf("slowing the job to %.1f calls/s: %,d calls left for about %d s of kills and outages%n", needed, left, scheduleSeconds);
    patchCap(apis, jobId, needed);
  }

  /** Once every kill and outage is made, the rest of the job runs at the governor's pace. */
  private void uncap(List<ApiClient> apis, String jobId) throws Exception {
    patchCap(apis, jobId, null);
  }

  private void patchCap(List<ApiClient> apis, String jobId, Double cap) throws Exception {
    Map<String, Object> change = new HashMap<>();
    change.put("max_calls_per_second", cap);
    String body = ApiJson.MAPPER.writeValueAsString(change);
    for (ApiClient api : apis) {
      try {
        ApiClient.Reply reply = api.patch("/jobs/" + jobId, body);
        if (reply.ok() || reply.status() == 409) {
          return;
        }
      } catch (CliException notNow) {
        // that node is down or busy: ask the next
      }
    }
    err.println("no node took the job's new cap; it keeps the old one");
  }

  private String submit(ApiClient api, Double pace) throws Exception {
    String body =
        ApiJson.MAPPER.writeValueAsString(
            new SubmitJobRequest(PROCESSOR, VERSION, null, null, null, Map.of(), null, pace));
    ApiClient.Reply reply = api.post("/jobs", body);
    if (reply.status() != 202) {
      throw new CliException("the API refused the job: HTTP " + reply.status() + " " + reply.body());
    }
    String jobId = ApiJson.MAPPER.readTree(reply.body()).path("job_id").asText();
    err.println("submitted job " + jobId + (pace == null ? "" : String.format(" (paced at %.1f calls/s)", pace)));
    return jobId;
  }

  /** The node running the job as its status names it, asked until one does; null if none did in time. */
  private static String hostedBy(List<ApiClient> apis, String jobId, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    do {
      Optional<JsonNode> status = status(apis, jobId);
      if (status.isPresent() && status.get().hasNonNull("hosted_by")) {
        return status.get().path("hosted_by").asText();
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return null;
  }

  /** True if the job ended within {@code millis}. */
  private boolean awaitEndOrTimeout(List<ApiClient> apis, String jobId, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      Optional<JsonNode> status = status(apis, jobId);
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
      Optional<JsonNode> status = status(apis, jobId);
      if (status.isPresent() && ended(status.get())) {
        return status.get();
      }
      Thread.sleep(250);
    }
    throw new CliException("the job did not end within 20 minutes");
  }

  /** The job's status from the first node that answers. */
  private static Optional<JsonNode> status(List<ApiClient> apis, String jobId) {
    for (ApiClient api : apis) {
      try {
        ApiClient.Reply reply = api.get("/jobs/" + jobId);
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
