package dev.backfill.bench.raw;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.backfill.bench.engine.EngineBackfill;
import dev.backfill.bench.engine.SeededStores;
import dev.backfill.bench.machine.HeapAfterGc;
import dev.backfill.bench.machine.HeapHistogram;
import dev.backfill.bench.machine.InternodeTraffic;
import dev.backfill.bench.machine.ProcessCpu;
import dev.backfill.bench.primary.ConnectionPeak;
import dev.backfill.bench.primary.PrimaryStatistics;
import dev.backfill.cluster.cli.ApiClient;
import dev.backfill.cluster.demo.ChildNodes;
import dev.backfill.cluster.http.ApiJson;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.stores.LocalStores;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * What the engine's guarantees cost: the engine beside the simplest pipeline that does the same
 * work ({@link RawPipeline}), on one seeded primary, alternating raw, engine on 1 node and engine
 * on 3 nodes; then the engine once more with the governor out of the way; then a job over every
 * call on one node with a small heap, to see whether anything grows with a job's size.
 */
public final class RawBench {

  private static final String ENGINE_APPLICATION_NAME = "backfill-engine";

  /**
   * The governor's budget and thresholds raised so that they never hold the engine back: what is
   * left is the engine's own cost. The connection cap stays as shipped (2 page queries, and the
   * probe's one connection beside them), so the primary sees no more connections than with the
   * defaults.
   */
  public static final String GOVERNOR_OUT_OF_THE_WAY =
      """
      backfill.governor {
        max-rows-per-second = 1000000
        max-query-millis-per-second = 64000
        target-page-millis = 1000
        aimd.min-fraction = 1.0
        thresholds {
          live-ratio-warn = 100
          live-ratio-critical = 1000
          probe-latency-warn-ms = 300000
          probe-latency-critical-ms = 600000
        }
      }
      """;

  private final RawOptions options;
  private final PrintStream err = System.err;

  public RawBench(RawOptions options) {
    this.options = options;
  }

  public int run() throws Exception {
    Path directory = options.directory().toAbsolutePath();
    if (!InternodeTraffic.available()) {
      throw new IllegalArgumentException("bench raw counts bytes between nodes with ss (Debian's iproute2): install it");
    }
    Processor processor = SeededStores.processor(options.processor());
    try (SeededStores seeded = SeededStores.start(directory, options.calls(), err)) {
      LocalStores stores = seeded.stores();
      EngineSettings settings = seeded.settings();
      var primary = settings.primary();
      List<RawRun> runs = new ArrayList<>();
      HeapCheck heap;
      try (PrimaryStatistics statistics = new PrimaryStatistics(primary.url(), primary.user(), primary.password())) {
        Context context = new Context(stores, settings, statistics, processor, directory);
        for (int round = 1; round <= options.rounds(); round++) {
          if (options.raw()) {
            runs.add(raw(context, round));
          }
          if (options.defaultBudget()) {
            for (int nodes : options.nodes()) {
              runs.add(engine(context, nodes, false, round));
            }
          }
        }
        if (options.rounds() > 0 && options.outOfTheWay()) {
          for (int nodes : options.nodes()) {
            runs.add(engine(context, nodes, true, 1));
          }
        }
        heap = options.heapCheck() ? heapCheck(context) : null;
      }
      return report(runs, heap);
    }
  }

  private record Context(
      LocalStores stores, EngineSettings settings, PrimaryStatistics statistics, Processor processor, Path directory) {

    /** Every process that works for a backfill, the nodes aside: this JVM and the stores. */
    Set<Long> storeProcesses() {
      Set<Long> roots = new HashSet<>();
      roots.add(ProcessHandle.current().pid());
      roots.add(stores.primaryPostmasterPid());
      roots.add(stores.journalPostmasterPid());
      roots.add(stores.cassandraPid());
      return roots;
    }
  }

  /** What a window is measured by: the calls done so far and, for the engine, its nodes. */
  private interface Measured {
    long done() throws Exception;

    default Set<Long> nodeProcesses() {
      return Set.of();
    }

    default Set<Integer> remotingPorts() {
      return Set.of();
    }

    /** Calls each node recorded so far; empty for a design without nodes. */
    default List<Long> perNode() throws Exception {
      return List.of();
    }

    /** Whether the job is held back by the governor now. */
    default boolean throttled() throws Exception {
      return false;
    }

    default long skipped() throws Exception {
      return 0;
    }
  }

  private RawRun raw(Context context, int round) throws Exception {
    String name = "raw #" + round;
    err.println("run: " + name + " ...");
    String keyspace = keyspace("raw");
    EngineSettings settings = EngineBackfill.withKeyspace(context.settings(), keyspace);
    try (CqlSession session = CassandraSessions.withoutKeyspace(settings.cassandra())) {
      new SchemaInstaller(settings).installCassandra(session);
    }
    var primary = context.settings().primary();
    try (CqlSession session = CassandraSessions.withKeyspace(settings.cassandra());
        RawPipeline pipeline =
            RawPipeline.start(primary.url(), primary.user(), primary.password(), context.processor(), session)) {
      return measure(context, name, "raw", 0, "none", round, RawPipeline.APPLICATION_NAME, pipeline::hasWorkLeft, pipeline::done);
    }
  }

  private RawRun engine(Context context, int nodes, boolean outOfTheWay, int round) throws Exception {
    String budget = outOfTheWay ? "out of the way" : "default";
    String name = "engine " + nodes + " node" + (nodes == 1 ? "" : "s") + (outOfTheWay ? ", governor out of the way" : "") + " #" + round;
    err.println("run: " + name + " ...");
    String keyspace = keyspace("engine_" + nodes);
    Path nodeDirectory = Files.createDirectories(context.directory().resolve(keyspace));
    try (EngineBackfill backfill =
        EngineBackfill.start(
            nodes, context.stores().endpoints(), context.settings(), keyspace, options.processor(), nodeDirectory,
            outOfTheWay ? GOVERNOR_OUT_OF_THE_WAY : "", List.of())) {
      EngineMeasured measured = new EngineMeasured(backfill);
      RawRun run =
          measure(context, name, "engine", nodes, budget, round, ENGINE_APPLICATION_NAME,
              () -> isRunning(backfill), measured);
      backfill.cancel();
      return run;
    }
  }

  private static boolean isRunning(EngineBackfill backfill) {
    try {
      String status = backfill.progress().status();
      return !status.equals("COMPLETED") && !status.equals("FAILED") && !status.equals("CANCELLED");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The engine seen through its nodes' own API: GET /node for each node's calls, GET /jobs/ID for the job. */
  private static final class EngineMeasured implements Measured {
    private final EngineBackfill backfill;
    private final List<ApiClient> apis;

    EngineMeasured(EngineBackfill backfill) {
      this.backfill = backfill;
      this.apis = backfill.nodes().apiUrls().stream().map(ApiClient::new).toList();
    }

    @Override
    public long done() throws Exception {
      return perNode().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public List<Long> perNode() throws IOException {
      List<Long> calls = new ArrayList<>();
      for (ApiClient api : apis) {
        ApiClient.Reply reply = api.get("/node");
        if (!reply.ok()) {
          throw new IllegalStateException("GET /node: HTTP " + reply.status() + " " + reply.body());
        }
        calls.add(ApiJson.MAPPER.readTree(reply.body()).path("calls_recorded").path("done").asLong());
      }
      return calls;
    }

    @Override
    public Set<Long> nodeProcesses() {
      ChildNodes nodes = backfill.nodes();
      Set<Long> pids = new HashSet<>();
      for (int i = 0; i < nodes.size(); i++) {
        pids.add(nodes.pid(i));
      }
      return pids;
    }

    @Override
    public Set<Integer> remotingPorts() {
      return new HashSet<>(backfill.nodes().remotePorts());
    }

    @Override
    public boolean throttled() throws IOException {
      return backfill.progress().status().equals("THROTTLED");
    }

    @Override
    public long skipped() throws IOException {
      return backfill.progress().skipped();
    }
  }

  /**
   * Warm-up, then the window: calls, CPU of every process, bytes between nodes and each node's
   * calls counted at both ends; connections sampled and the job's status polled in between.
   */
  private RawRun measure(
      Context context, String name, String design, int nodes, String budget, int round, String applicationName,
      BooleanSupplier workLeft, Measured measured) throws Exception {
    err.printf("  warm-up: %d s%n", options.warmup().toSeconds());
    Thread.sleep(options.warmup().toMillis());
    Set<Long> processes = new HashSet<>(context.storeProcesses());
    processes.addAll(measured.nodeProcesses());
    List<Long> perNodeBefore = measured.perNode();
    long doneBefore = perNodeBefore.isEmpty() ? measured.done() : sum(perNodeBefore);
    double cpuBefore = ProcessCpu.secondsUnder(processes);
    var trafficBefore = InternodeTraffic.now(measured.remotingPorts());
    long start = System.nanoTime();
    long end = start + options.window().toNanos();
    long throttledMs = 0;
    boolean ranOut = false;
    int peak;
    int samples;
    try (ConnectionPeak connections = ConnectionPeak.start(context.statistics(), applicationName)) {
      while (System.nanoTime() < end) {
        long pollStart = System.nanoTime();
        if (measured.throttled()) {
          throttledMs += POLL.toMillis();
        }
        if (!workLeft.getAsBoolean()) {
          ranOut = true;
        }
        Thread.sleep(Math.max(0, POLL.toMillis() - (System.nanoTime() - pollStart) / 1_000_000));
      }
      peak = connections.peak();
      samples = connections.samples();
    }
    List<Long> perNodeAfter = measured.perNode();
    long doneAfter = perNodeAfter.isEmpty() ? measured.done() : sum(perNodeAfter);
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuAfter = ProcessCpu.secondsUnder(processes);
    long bytes = InternodeTraffic.now(measured.remotingPorts()).bytesSince(trafficBefore);
    long calls = doneAfter - doneBefore;
    List<Double> shares = new ArrayList<>();
    for (int i = 0; i < perNodeAfter.size(); i++) {
      shares.add(calls == 0 ? Double.NaN : (perNodeAfter.get(i) - perNodeBefore.get(i)) / (double) calls);
    }
    if (ranOut) {
      err.println("  WARNING " + name + ": the calls ran out before the window closed: seed more (--calls)");
    }
    long skipped = measured.skipped();
    if (skipped != 0) {
      err.println("  WARNING " + name + ": " + skipped + " calls skipped: the run did not only do fresh work");
    }
    RawRun run =
        new RawRun(
            name, design, nodes, budget, round, calls, seconds,
            calls == 0 ? Double.NaN : (cpuAfter - cpuBefore) * 1000 / calls,
            calls == 0 ? Double.NaN : (double) bytes / calls,
            shares, peak, samples, throttledMs, skipped);
    err.printf(
        "  %s: %,.0f calls/s, %.2f CPU ms per call, %.0f bytes between nodes per call, shares %s,"
            + " peak primary connections %d (%d samples), throttled %,d ms%n",
        name, run.callsPerSecond(), run.cpuMsPerCall(), run.internodeBytesPerCall(), shares, peak, samples, throttledMs);
    return run;
  }

  private static final Duration POLL = Duration.ofMillis(250);
  /** Longer than a call entity's idle timeout and sharding's check of it. */
  private static final Duration AFTER_JOB = Duration.ofSeconds(35);
  /** How many of the classes that grew most the heap check names. */
  private static final int HEAP_GROWTH_CLASSES = 15;

  private static long sum(List<Long> counts) {
    return counts.stream().mapToLong(Long::longValue).sum();
  }

  /**
   * The heap of one node before a job over every seeded call, after it, and after a second such
   * job (another processor: a fresh computation, the same work). The first job leaves what any
   * first job leaves (sharding's shards and their tables, sized by the most entities each held at
   * once); the second shows whether anything grows with the calls a node has processed.
   */
  record HeapCheck(
      long calls,
      long usedBeforeBytes,
      long usedAfterBytes,
      long usedAfterSecondBytes,
      String status,
      double seconds,
      String secondProcessor,
      String secondStatus,
      long secondCalls,
      List<HeapHistogram.Growth> largestGrowth,
      List<HeapHistogram.Growth> largestGrowthSecondJob) {

    double growthPercent() {
      return percentGrown(usedBeforeBytes, usedAfterBytes);
    }

    double secondJobGrowthPercent() {
      return percentGrown(usedAfterBytes, usedAfterSecondBytes);
    }

    static double percentGrown(long fromBytes, long toBytes) {
      return 100.0 * (toBytes - fromBytes) / fromBytes;
    }
  }

  /** The second job's processor: another computation than the first's, so that it does the same work. */
  private String secondHeapJobProcessor() {
    return options.processor().equals("question-count") ? "talk-ratio" : "question-count";
  }

  private HeapCheck heapCheck(Context context) throws Exception {
    err.printf("heap check: two jobs over all %,d calls on one node with -Xmx%s ...%n", options.calls(), options.heapLimit());
    String keyspace = keyspace("heap");
    Path nodeDirectory = Files.createDirectories(context.directory().resolve(keyspace));
    try (EngineBackfill backfill =
        EngineBackfill.launch(
            1, context.stores().endpoints(), context.settings(), keyspace, nodeDirectory, GOVERNOR_OUT_OF_THE_WAY,
            List.of("-Xmx" + options.heapLimit()))) {
      long pid = backfill.nodes().pid(0);
      long before = HeapAfterGc.usedBytes(pid);
      HeapHistogram classesBefore = HeapHistogram.of(pid);
      long start = System.nanoTime();
      EngineBackfill.Progress progress = runToTheEnd(backfill, options.processor(), nodeDirectory);
      double seconds = (System.nanoTime() - start) / 1e9;
      long after = HeapAfterGc.usedBytes(pid);
      HeapHistogram classesAfter = HeapHistogram.of(pid);
      List<HeapHistogram.Growth> growth = classesAfter.largestGrowthSince(classesBefore, HEAP_GROWTH_CLASSES);
      err.printf(
          "  %s after %.0f s: %,d processed; heap after a full GC %.1f MB before the job, %.1f MB after (%+.1f%%)%n",
          progress.status(), seconds, progress.processed(), before / 1e6, after / 1e6, HeapCheck.percentGrown(before, after));
      printGrowth(growth);

      String secondProcessor = secondHeapJobProcessor();
      EngineBackfill.Progress second = runToTheEnd(backfill, secondProcessor, nodeDirectory);
      long afterSecond = HeapAfterGc.usedBytes(pid);
      List<HeapHistogram.Growth> secondGrowth = HeapHistogram.of(pid).largestGrowthSince(classesAfter, HEAP_GROWTH_CLASSES);
      HeapCheck check =
          new HeapCheck(
              progress.processed(), before, after, afterSecond, progress.status(), seconds,
              secondProcessor, second.status(), second.processed(), growth, secondGrowth);
      err.printf(
          "  second job (%s) %s: %,d processed; heap after a full GC %.1f MB (%+.1f%% on the first job's)%n",
          secondProcessor, second.status(), second.processed(), afterSecond / 1e6, check.secondJobGrowthPercent());
      printGrowth(secondGrowth);
      return check;
    }
  }

  /** Submits a job over every call and waits for its end, then for its idle call entities to stop. */
  private EngineBackfill.Progress runToTheEnd(EngineBackfill backfill, String processor, Path nodeDirectory) throws Exception {
    backfill.submit(processor);
    EngineBackfill.Progress progress = backfill.progress();
    long lastLine = 0;
    long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
    while (!isFinal(progress.status()) && System.nanoTime() < deadline) {
      if (System.nanoTime() - lastLine > Duration.ofSeconds(15).toNanos()) {
        err.printf("  %s %s: %,d processed%n", processor, progress.status(), progress.processed());
        lastLine = System.nanoTime();
      }
      Thread.sleep(POLL.toMillis());
      progress = backfill.progress();
    }
    if (!backfill.nodes().isAlive(0)) {
      throw new IllegalStateException("the node with -Xmx" + options.heapLimit() + " died during the job; see " + nodeDirectory);
    }
    // The call entities of the job's last seconds stop once idle (passivation.default-strategy.
    // idle-entity.timeout, 2 s); what is left after that is what the node keeps.
    err.printf("  %s; heap read again in %d s, once its idle call entities have stopped%n", progress.status(), AFTER_JOB.toSeconds());
    Thread.sleep(AFTER_JOB.toMillis());
    return progress;
  }

  private void printGrowth(List<HeapHistogram.Growth> growth) {
    err.println("  the classes whose live objects grew most (bytes, instances):");
    growth.forEach(g -> err.printf("    %,10d B %,8d  %s%n", g.bytes(), g.instances(), g.className()));
  }

  private static List<Map<String, Object>> growthJson(List<HeapHistogram.Growth> growth) {
    return growth.stream()
        .map(
            g -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("class", g.className());
              entry.put("bytes", g.bytes());
              entry.put("instances", g.instances());
              return entry;
            })
        .toList();
  }

  private static boolean isFinal(String status) {
    return status.equals("COMPLETED") || status.equals("FAILED") || status.equals("CANCELLED");
  }

  private int report(List<RawRun> runs, HeapCheck heap) throws Exception {
    double raw = meanRate(runs, run -> run.design().equals("raw"));
    double engine1 = meanRate(runs, run -> run.design().equals("engine") && run.nodes() == 1 && run.budget().equals("default"));
    double engine3 = meanRate(runs, run -> run.design().equals("engine") && run.nodes() == 3 && run.budget().equals("default"));
    double free1 = meanRate(runs, run -> run.design().equals("engine") && run.nodes() == 1 && !run.budget().equals("default"));
    double free3 = meanRate(runs, run -> run.design().equals("engine") && run.nodes() == 3 && !run.budget().equals("default"));
    double internode =
        // Every run with more than one node: with --nodes other than 3 the figure is still measured.
        runs.stream().filter(run -> run.nodes() > 1).mapToDouble(RawRun::internodeBytesPerCall).average().orElse(Double.NaN);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("date", LocalDate.now().toString());
    json.put("command", options.command());
    json.put("calls", options.calls());
    json.put("warmup_s", options.warmup().toSeconds());
    json.put("window_s", options.window().toSeconds());
    json.put("raw_calls_per_second", RawRun.round(raw, 1));
    json.put("engine_calls_per_second", RawRun.round(engine1, 1));
    json.put("engine_3_nodes_calls_per_second", RawRun.round(engine3, 1));
    json.put("ratio", RawRun.round(engine1 / raw, 3));
    json.put("engine_out_of_the_way_calls_per_second", RawRun.round(free1, 1));
    json.put("engine_3_nodes_out_of_the_way_calls_per_second", RawRun.round(free3, 1));
    json.put("ratio_out_of_the_way", RawRun.round(free1 / raw, 3));
    json.put("internode_bytes_per_call", RawRun.round(internode, 1));
    json.put("cpu_ms_per_call", perRun(runs, RawRun::cpuMsPerCall));
    json.put("primary_max_connections", perRun(runs, run -> run.primaryMaxConnections()));
    json.put("throttled_ms", perRun(runs, run -> run.throttledMs()));
    if (heap != null) {
      Map<String, Object> heapJson = new LinkedHashMap<>();
      heapJson.put("heap_limit", options.heapLimit());
      heapJson.put("calls", heap.calls());
      heapJson.put("status", heap.status());
      heapJson.put("seconds", RawRun.round(heap.seconds(), 1));
      heapJson.put("used_after_gc_before_mb", RawRun.round(heap.usedBeforeBytes() / 1e6, 1));
      heapJson.put("used_after_gc_after_mb", RawRun.round(heap.usedAfterBytes() / 1e6, 1));
      heapJson.put("growth_percent", RawRun.round(heap.growthPercent(), 1));
      heapJson.put("largest_growth", growthJson(heap.largestGrowth()));
      heapJson.put("second_job_processor", heap.secondProcessor());
      heapJson.put("second_job_status", heap.secondStatus());
      heapJson.put("second_job_calls", heap.secondCalls());
      heapJson.put("used_after_gc_after_second_job_mb", RawRun.round(heap.usedAfterSecondBytes() / 1e6, 1));
      heapJson.put("second_job_growth_percent", RawRun.round(heap.secondJobGrowthPercent(), 1));
      heapJson.put("largest_growth_second_job", growthJson(heap.largestGrowthSecondJob()));
      json.put("heap", heapJson);
    }
    json.put("runs", runs.stream().map(RawRun::asJson).toList());
    String table = RawReport.markdown(runs, heap, options);
    Files.createDirectories(options.reportDirectory());
    Files.writeString(options.reportDirectory().resolve("raw.md"), table);
    err.println();
    err.println(table);
    err.println("report: " + options.reportDirectory().resolve("raw.md"));
    System.out.println(ApiJson.MAPPER.writeValueAsString(json));
    return 0;
  }

  private static Map<String, Object> perRun(List<RawRun> runs, java.util.function.ToDoubleFunction<RawRun> figure) {
    Map<String, Object> values = new LinkedHashMap<>();
    runs.forEach(run -> values.put(run.name(), RawRun.round(figure.applyAsDouble(run), 3)));
    return values;
  }

  private static double meanRate(List<RawRun> runs, Predicate<RawRun> which) {
    return runs.stream().filter(which).mapToDouble(RawRun::callsPerSecond).average().orElse(Double.NaN);
  }

  private static String keyspace(String design) {
    return ("bench_raw_" + design + "_" + System.nanoTime()).toLowerCase();
  }
}
