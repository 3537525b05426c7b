package dev.backfill.bench.incident;

import com.typesafe.config.Config;
import dev.backfill.bench.engine.EngineBackfill;
import dev.backfill.bench.engine.SeededStores;
import dev.backfill.bench.live.LiveResult;
import dev.backfill.bench.live.LiveSchema;
import dev.backfill.bench.live.LiveWorkloadProcess;
import dev.backfill.bench.machine.CompilerCpu;
import dev.backfill.bench.machine.CoreUsage;
import dev.backfill.bench.machine.CpuPinning;
import dev.backfill.bench.naive.NaiveQueue;
import dev.backfill.bench.primary.ConnectionPeak;
import dev.backfill.bench.primary.PrimarySettler;
import dev.backfill.bench.primary.PrimaryStatistics;
import dev.backfill.bench.primary.ProbeObserver;
import dev.backfill.bench.report.IncidentReport;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.cluster.local.CpuPriority;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.stores.LocalStores;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The original incident, reproduced beside this engine on one local primary: a live recording
 * workload at a fixed rate, measured by an outside client, alone and beside each backfill design,
 * with the primary sharing the machine's cores or pinned to a core of its own.
 */
public final class IncidentBench {

  private static final String ENGINE_APPLICATION_NAME = "backfill-engine";
  private static final String NAIVE_APPLICATION_NAME = "naive-worker";
  /**
   * The design of the control run whose node runs every thread under SCHED_IDLE ({@code
   * backfill.node.cpu-priority = background}, the default before the split).
   */
  public static final String WHOLE_NODE_BACKGROUND = "engine-whole-node-background";

  private final IncidentOptions options;
  /** What the engine's CPU priority came to on this machine (applied to Cassandra; the nodes set the same). */
  private String enginePriority = "not set: this machine cannot place processes";
  /** Control runs that could not be measured, each with why. */
  private final List<String> failedControls = new ArrayList<>();
  private final PrintStream err = System.err;
  /** The governor's tail-percentile, at which the probes' tail is read in every run. */
  private double probeTailPercentile = Double.NaN;

  public IncidentBench(IncidentOptions options) {
    this.options = options;
  }

  public int run() throws Exception {
    Path directory = options.directory().toAbsolutePath();
    boolean canPin = CpuPinning.available();
    if (options.placements().contains("pinned") && !canPin) {
      throw new IllegalArgumentException("pinned runs need taskset and at least two cores; use --placements shared");
    }
    CpuPriority.fromEnvironment(); // a misspelt BACKFILL_CPU_PRIORITY fails here, not after the runs
    Processor processor = SeededStores.processor(options.processor());
    try (SeededStores seeded = SeededStores.start(directory, options.calls(), err)) {
      LocalStores stores = seeded.stores();
      Config config = seeded.config();
      EngineSettings settings = seeded.settings();
      var primary = settings.primary();
      LiveSchema.install(primary.url(), primary.user(), primary.password());
      NaiveQueue.install(primary.url(), primary.user(), primary.password());

      List<RunFigures> runs = new ArrayList<>();
      try (PrimaryStatistics statistics = new PrimaryStatistics(primary.url(), primary.user(), primary.password())) {
        GovernorSettings governor = GovernorSettings.create(config);
        probeTailPercentile = governor.livePath().tailPercentile();
        var context = new RunContext(stores, settings, governor, statistics, processor, directory);
        for (String placement : options.placements()) {
          runs.addAll(placementRuns(context, placement.equals("pinned")));
        }
      } finally {
        if (canPin) {
          place(stores, false);
        }
      }
      return report(runs);
    }
  }

  private record RunContext(
      LocalStores stores,
      EngineSettings settings,
      GovernorSettings governor,
      PrimaryStatistics statistics,
      Processor processor,
      Path directory) {}

  /** Alone, beside each naive fleet, beside the engine on each node count, alone again. */
  private List<RunFigures> placementRuns(RunContext context, boolean pinned) throws Exception {
    if (CpuPinning.available()) {
      place(context.stores(), pinned);
    }
    String suffix = pinned ? " pinned" : " shared";
    List<RunFigures> runs = new ArrayList<>();
    runs.add(new Run(context, pinned, "alone (start)" + suffix, "alone", 0, 0).measure());
    if (pinned) {
      // A control: no backfill, only a thread keeping the backfill's core busy, to see whether
      // core 1's load alone reaches the primary on core 0 (see CoreUsage and BusyCore).
      runs.add(new Run(context, true, "alone, backfill core busy" + suffix, "busy", 0, 0).measure());
    }
    for (int workers : options.naiveWorkers()) {
      runs.add(new Run(context, pinned, "naive W=" + workers + suffix, "naive", 0, workers).measure());
    }
    for (int nodes : options.engineNodes()) {
      runs.add(new Run(context, pinned, "engine " + nodes + " node" + (nodes == 1 ? "" : "s") + suffix, "engine", nodes, 0).measure());
    }
    if (!pinned && options.engineNodes().contains(1) && CpuPriority.fromEnvironment() == CpuPriority.SPLIT) {
      // A control: a node with every thread under SCHED_IDLE, against the default node split by
      // plane (its control plane at nice 19 above its SCHED_IDLE data plane:
      // dev.backfill.engine.threads), to see what the split costs the live path.
      String name = "engine 1 node, whole node in the background" + suffix;
      try {
        runs.add(new Run(context, false, name, WHOLE_NODE_BACKGROUND, 1, 0).measure());
      } catch (RuntimeException | IOException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e; // stopped, not failed
        }
        // Such a node's governor once paused the job at its first lease and never let it go in
        // the 120 s a first call is waited for (2026-12-02): a finding about the control,
        // reported, not a reason to lose the runs measured so far.
        err.println("  control run " + name + " not measured: " + e.getMessage());
        failedControls.add(name + ": " + e.getMessage());
      }
    }
    if (!options.engineNodes().isEmpty()) {
      // Controls: a node with no job (its JVM, its governor's probes, the cluster's heartbeats)
      // after the same warm-up; and, shared, background CPU on every core and nothing else. What
      // an engine run adds beyond them is its work.
      runs.add(new Run(context, pinned, "engine idle, 1 node" + suffix, "idle", 1, 0).measure());
      if (!pinned) {
        runs.add(new Run(context, false, "alone, every core busy at the engine's priority" + suffix, "busy", 0, 0).measure());
      }
    }
    runs.add(new Run(context, pinned, "alone (end)" + suffix, "alone", 0, 0).measure());
    List<RunFigures> alone = runs.stream().filter(run -> run.design().equals("alone")).toList();
    var baseline =
        new RunFigures.Baseline(
            mean(alone, RunFigures::liveP99Ms),
            mean(alone, RunFigures::liveP50Ms),
            mean(alone, RunFigures::probeTailMs),
            mean(alone, RunFigures::probeMedianMs),
            context.governor().livePath().liveLatency().toNanos() / 1e6);
    return runs.stream().map(run -> run.withRatios(baseline)).toList();
  }

  private static double mean(List<RunFigures> runs, java.util.function.ToDoubleFunction<RunFigures> figure) {
    return runs.stream().mapToDouble(figure).filter(Double::isFinite).average().orElse(Double.NaN);
  }

  /**
   * Pinned: the primary (its postmaster and every backend) on core 0, and this JVM, the journal's
   * PostgreSQL, Cassandra and the kernel's memory reclaim threads on core 1; the engine's nodes
   * inherit this JVM's core. Shared: all of them on both cores.
   */
  private void place(LocalStores stores, boolean pinned) {
    CpuPinning.pin(stores.primaryPostmasterPid(), pinned ? CpuPinning.PRIMARY_CORE : CpuPinning.ALL_CORES);
    String rest = pinned ? CpuPinning.BACKFILL_CORE : CpuPinning.ALL_CORES;
    CpuPinning.pin(ProcessHandle.current().pid(), rest);
    CpuPinning.pin(stores.journalPostmasterPid(), rest);
    CpuPinning.pin(stores.cassandraPid(), rest);
    // As `./backfill stores start` does; the nodes set their own from backfill.node.cpu-priority.
    enginePriority = CpuPriority.fromEnvironment().applyTo(stores.cassandraPid());
    System.err.println("Cassandra runs at " + enginePriority);
    int reclaim = CpuPinning.placeMemoryReclaim(rest);
    if (reclaim > 0 && pinned) {
      System.err.printf("placed %d kernel memory reclaim thread(s) (kdamond) on core %s with the backfill%n", reclaim, rest);
    }
  }

  /** One measured run: start the backfill, let it and the live client warm up, measure the window. */
  private final class Run {
    private final RunContext context;
    private final boolean pinned;
    private final String name;
    private final String design;
    private final int nodes;
    private final int workers;

    Run(RunContext context, boolean pinned, String name, String design, int nodes, int workers) {
      this.context = context;
      this.pinned = pinned;
      this.name = name;
      this.design = design;
      this.nodes = nodes;
      this.workers = workers;
    }

    RunFigures measure() throws Exception {
      err.println("run: " + name + " ...");
      var primary = context.settings().primary();
      if (design.equals("naive")) {
        // Before settling: refilling the task table writes a row per call, which autovacuum and
        // the checkpointer would otherwise work off during the measured window.
        NaiveQueue.reset(primary.url(), primary.user(), primary.password());
      }
      // Every run starts from a vacuumed, checkpointed primary with no autovacuum running: what the
      // run before it wrote is not charged to this one (the first run's predecessor is the seeding).
      Duration unsettled = PrimarySettler.settle(primary.url(), primary.user(), primary.password());
      if (!unsettled.isZero()) {
        err.println("  WARNING " + name + ": autovacuum still ran after " + unsettled.toSeconds() + " s of waiting");
      }
      // Counting from before the backfill's JVMs start, so all their compiling is seen. The live
      // client's after the window opens is not (its JVM is gone by the last reading): it compiles
      // in its own warm-up, with C1 alone.
      CompilerCpu compilers = CompilerCpu.startCounting();
      Backfill backfill = startBackfill();
      try {
        Duration warmedUp = Duration.ZERO;
        boolean compilersQuiet = false;
        if (!design.equals("alone") && !design.equals("busy")) {
          // An idle engine too: its nodes have started as long before the window as a job's.
          // Discarded: the JIT compiling the backfill's hot paths, Cassandra's first flushes, the
          // governor's slow start. A backfill runs for hours; its first minutes are not its rate.
          err.printf(
              "  backfill warm-up: at least %d s, then until the JIT compilers are quiet, at most %d s%n",
              options.backfillWarmup().toSeconds(), options.backfillWarmupMax().toSeconds());
          BackfillWarmup.Taken taken = BackfillWarmup.run(options.backfillWarmup(), options.backfillWarmupMax(), compilers);
          warmedUp = taken.duration();
          compilersQuiet = taken.quiet();
          err.printf(
              "  backfill warm-up took %d s; %s%n",
              taken.duration().toSeconds(),
              Double.isNaN(taken.compilerShare())
                  ? "too short to measure the compilers"
                  : String.format(
                      "the compilers used %.0f%% of a core over its last %d s%s",
                      taken.compilerShare() * 100, BackfillWarmup.QUIET_SPAN.toSeconds(),
                      taken.quiet() ? "" : " (NOT quiet: the window includes their work)"));
        }
        Path log = context.directory().resolve("live-" + fileName(name) + ".log");
        List<String> prefix = pinned ? CpuPinning.prefix(CpuPinning.PRIMARY_CORE) : List.of();
        try (LiveWorkloadProcess live =
            LiveWorkloadProcess.start(
                prefix, primary.url(), primary.user(), primary.password(), options.liveRate(), options.liveConnections(),
                options.warmup(), options.window(), log)) {
          WindowStart start = awaitWindow(log, backfill);
          double compilerSecondsAtStart = compilers.secondsSinceStart();
          LiveResult result;
          int peak;
          int samples;
          ProbeObserver.Reading probes;
          try (ConnectionPeak connections =
                  ConnectionPeak.start(
                      context.statistics(), design.equals("naive") ? NAIVE_APPLICATION_NAME : ENGINE_APPLICATION_NAME);
              ProbeObserver observer = ProbeObserver.start(primary, context.governor())) {
            result = live.await();
            probes = observer.stop();
            observer.writeProbes(context.directory().resolve("probes-" + fileName(name) + ".csv"));
            peak = connections.peak();
            samples = connections.samples();
          }
          var rates = context.statistics().snapshot().since(start.primary());
          List<Double> coresBusy = CoreUsage.now().busyPercentSince(start.cores());
          String selfReport = backfill.selfReport();
          if (!selfReport.isEmpty()) {
            Files.writeString(context.directory().resolve("governor-" + fileName(name) + ".json"), selfReport);
          }
          long doneAtEnd = backfill.done();
          double seconds = (System.nanoTime() - start.nanos()) / 1e9;
          double compilerCorePercent = (compilers.secondsSinceStart() - compilerSecondsAtStart) / seconds * 100;
          boolean outlasted = backfill.hasWorkLeft();
          Backfill.Outcome outcome = backfill.finish();
          RunFigures figures =
              new RunFigures(
                  name, design, pinned, nodes, workers,
                  (doneAtEnd - start.done()) / seconds,
                  outcome.processedInStore(), outcome.skipped(), outlasted,
                  result.requests(), result.errors(), result.unfinished(), result.p50Ms(), result.p99Ms(), result.p999Ms(), result.maxMs(),
                  Double.NaN, Double.NaN, probes.medianMs(), probes.tailMs(), Double.NaN, coresBusy, peak, samples, rates.transactionsPerSecond(), rates.rowsReadPerSecond(), rates.sessionsPerSecond(),
                  warmedUp.toMillis() / 1000.0, compilersQuiet, compilerCorePercent, probes.millis(), Double.NaN);
          check(figures, outcome);
          err.printf(
              "  %s: live p50 %.2f ms, p99 %.2f ms, max %.1f ms; backfill %.0f calls/s; peak connections %d (%d samples);"
                  + " probe p50 %.3f ms, tail %.3f ms (%d probes, %d failed)%n",
              name, figures.liveP50Ms(), figures.liveP99Ms(), figures.liveMaxMs(), figures.callsPerSecond(), peak, samples,
              probes.medianMs(), probes.tailMs(), probes.probes(), probes.failures());
          return figures;
        }
      } finally {
        backfill.close();
      }
    }

    private Backfill startBackfill() throws Exception {
      var primary = context.settings().primary();
      return switch (design) {
        case "naive" -> Backfill.naive(primary.url(), primary.user(), primary.password(), workers, context.processor(), options.calls());
        case "engine", WHOLE_NODE_BACKGROUND -> {
          String keyspace = ("bench_" + (pinned ? "pinned" : "shared") + "_" + nodes + "_" + System.nanoTime()).toLowerCase();
          Path nodeDirectory = Files.createDirectories(context.directory().resolve(keyspace));
          String extraConfig = design.equals(WHOLE_NODE_BACKGROUND) ? "backfill.node.cpu-priority = background" : "";
          yield Backfill.engine(
              EngineBackfill.start(
                  nodes, context.stores().endpoints(), context.settings(), keyspace, options.processor(), nodeDirectory,
                  extraConfig, List.of()));
        }
        case "busy" -> pinned ? BusyCore.start() : BusyCore.startEveryCoreInBackground(CpuPriority.fromEnvironment().launcher());
        case "idle" -> {
          String keyspace = ("bench_idle_" + (pinned ? "pinned" : "shared") + "_" + System.nanoTime()).toLowerCase();
          Path nodeDirectory = Files.createDirectories(context.directory().resolve(keyspace));
          EngineBackfill idle =
              EngineBackfill.launch(nodes, context.stores().endpoints(), context.settings(), keyspace, nodeDirectory, "", List.of());
          yield Backfill.idleUntilClosed(idle::close);
        }
        default -> Backfill.none();
      };
    }

    /** Waits for the live client to finish warming up, then takes the counters the window starts from. */
    private WindowStart awaitWindow(Path log, Backfill backfill) throws Exception {
      long deadline = System.nanoTime() + options.warmup().plusSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        if (Files.exists(log) && Files.readString(log).contains("live-workload: warm")) {
          long done = backfill.done();
          return new WindowStart(context.statistics().snapshot(), CoreUsage.now(), done, System.nanoTime());
        }
        Thread.sleep(20);
      }
      // A backfill that overwhelms the primary (and the client's cores) can keep even the client's
      // own clock thread from reporting: the window opens now, and the client's own figures (lower
      // bounds for what never ran) still say how bad it was. Stopping the whole benchmark here
      // would hide exactly the worst run.
      err.println("  WARNING " + name + ": the live client did not report the end of its warm-up in time; see " + log);
      return new WindowStart(context.statistics().snapshot(), CoreUsage.now(), backfill.done(), System.nanoTime());
    }

    private void check(RunFigures figures, Backfill.Outcome outcome) {
      if (figures.design().equals("alone") || figures.design().equals("busy") || figures.design().equals("idle")) {
        return;
      }
      if (figures.skipped() != 0) {
        err.println("  WARNING " + name + ": " + figures.skipped() + " calls skipped: the run did not only do fresh work");
      }
      // More results than counted is expected of the engine: calls in flight when the job was
      // cancelled are written but not checkpointed. Fewer would be a lost count.
      if (outcome.processedInStore() < outcome.processedByOwnCount()) {
        err.println(
            "  WARNING " + name + ": " + outcome.processedInStore() + " results in the store but the backfill counted "
                + outcome.processedByOwnCount());
      }
      if (!figures.outlastedWindow()) {
        err.println("  WARNING " + name + ": the backfill ran out of calls before the window closed: seed more (--calls)");
      }
    }
  }

  private static String fileName(String runName) {
    return runName.replaceAll("[^A-Za-z0-9=]+", "-");
  }

  private record WindowStart(PrimaryStatistics.Snapshot primary, CoreUsage.Snapshot cores, long done, long nanos) {}

  private int report(List<RunFigures> runs) throws Exception {
    String date = LocalDate.now().toString();
    Path reports = options.reportDirectory();
    IncidentReport.write(reports, date, options.command(), runs, failedControls);
    err.println();
    err.println(IncidentReport.markdownTable(runs));
    err.println("report: " + reports.resolve("incident.md") + " and " + reports.resolve("incident.svg"));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("date", date);
    json.put("command", options.command());
    json.put("calls", options.calls());
    json.put("live_rate", options.liveRate());
    json.put("warmup_s", options.warmup().toSeconds());
    json.put("window_s", options.window().toSeconds());
    // What took effect on Cassandra, not what was asked for: without chrt it runs at normal
    // priority. The nodes set their own from backfill.node.cpu-priority: node_cpu_priority.
    json.put("engine_cpu_priority", enginePriority);
    json.put("node_cpu_priority", CpuPriority.fromEnvironment().ofANode());
    // The percentile of every run's probe_tail_ms: the governor's tail-percentile.
    json.put("probe_tail_percentile", probeTailPercentile);
    json.put("runs", runs.stream().map(IncidentBench::asJson).toList());
    json.put("failed_controls", failedControls);
    System.out.println(ApiJson.MAPPER.writeValueAsString(json));
    return 0;
  }

  private static Map<String, Object> asJson(RunFigures run) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", run.name());
    json.put("design", run.design());
    json.put("pinned", run.pinned());
    json.put("nodes", run.nodes());
    json.put("workers", run.workers());
    json.put("calls_per_second", round(run.callsPerSecond(), 1));
    json.put("processed", run.processed());
    json.put("skipped", run.skipped());
    json.put("outlasted_window", run.outlastedWindow());
    json.put("live_requests", run.liveRequests());
    json.put("live_errors", run.liveErrors());
    json.put("live_unfinished", run.liveUnfinished());
    json.put("live_p50_ms", round(run.liveP50Ms(), 3));
    json.put("live_p99_ms", round(run.liveP99Ms(), 3));
    json.put("live_p999_ms", round(run.liveP999Ms(), 3));
    json.put("live_max_ms", round(run.liveMaxMs(), 3));
    json.put("live_p99_ratio", round(run.liveP99Ratio(), 3));
    json.put("live_p50_ratio", round(run.liveP50Ratio(), 3));
    json.put("probe_median_ms", round(run.probeMedianMs(), 3));
    json.put("probe_tail_ms", round(run.probeTailMs(), 3));
    json.put("probe_ratio", round(run.probeRatio(), 3));
    json.put("probe_mean_wait_ms", round(run.probeMeanWaitMs(), 4));
    json.put("core_busy_percent", run.coreBusyPercent().stream().map(percent -> round(percent, 1)).toList());
    json.put("primary_max_connections", run.primaryMaxConnections());
    json.put("primary_connection_samples", run.connectionSamples());
    json.put("primary_tps", round(run.primaryTps(), 1));
    json.put("primary_sessions_per_second", round(run.primarySessionsPerSecond(), 2));
    json.put("primary_rows_read_per_second", round(run.primaryRowsReadPerSecond(), 1));
    json.put("backfill_warmup_s", round(run.backfillWarmupSeconds(), 0));
    json.put("backfill_warmup_compilers_quiet", run.backfillWarmupQuiet());
    json.put("compiler_core_percent", round(run.compilerCorePercent(), 1));
    return json;
  }

  private static double round(double value, int places) {
    if (Double.isNaN(value) || Double.isInfinite(value)) {
      return value;
    }
    double scale = Math.pow(10, places);
    return Math.round(value * scale) / scale;
  }
}
