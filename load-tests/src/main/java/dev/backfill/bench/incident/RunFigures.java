package dev.backfill.bench.incident;

import dev.backfill.engine.governor.LatencyWindow;
import dev.backfill.engine.governor.LivePathMonitor;
import java.util.List;

/**
 * One run of the incident benchmark: a backfill design (or none) beside the live workload, with
 * figures taken from outside the engine: the live client's histogram, the primary's own
 * statistics, results counted in the stores.
 *
 * @param design {@code alone}, {@code naive} or {@code engine}
 * @param nodes engine nodes (0 unless the design is the engine)
 * @param workers naive workers (0 unless the design is naive)
 * @param processed calls the backfill finished during the measured window, counted in its store
 * @param skipped calls the backfill skipped instead of processing (must be 0: every run does real work)
 * @param outlastedWindow whether the backfill still had work when the window closed
 * @param liveUnfinished measured live requests that never finished (the client gave up 30 s after
 *     the window): counted in the latencies as lower bounds, so the run's percentiles are lower bounds
 * @param liveP99Ratio live p99 over the baseline's (the mean of the two alone runs in the same placement)
 * @param liveP50Ratio live p50 over the baseline's, likewise: the median moves less with the machine's
 *     own noise than the p99 does, and shows a load that slows every live request a little
 * @param probeMedianMs the governor's probe, run by the benchmark beside the run: its median, in
 *     the primary's own milliseconds ({@link dev.backfill.bench.primary.ProbeObserver})
 * @param probeTailMs its tail over the window, at the governor's {@code tail-percentile}
 * @param probeRatio what the governor's tail signal would read over the whole window: the probes'
 *     tail against the alone runs', as the governor reads it (its own windows are {@code tail-span})
 * @param coreBusyPercent how busy each core was over the window, core 0 first (pinned: the
 *     primary's core, then the backfill's), from /proc/stat; empty where unknown
 * @param primaryMaxConnections the design's connections on the primary at peak (pg_stat_activity)
 * @param connectionSamples how many pg_stat_activity samples that peak was taken from
 * @param primaryTps transactions per second on the primary's calls database (pg_stat_database), everyone's
 * @param primaryRowsReadPerSecond tuples returned + fetched per second on the calls database
 * @param primarySessionsPerSecond connections established to the calls database per second
 *     (pg_stat_database.sessions), everyone's: each is a backend the primary forks and sets up on
 *     the live path's cores
 * @param backfillWarmupSeconds how long the backfill ran before the live client started (0 for none)
 * @param backfillWarmupQuiet whether the JIT compilers were quiet when it ended (false: it ended at
 *     its maximum, or was too short to tell)
 * @param compilerCorePercent the JIT compilers of every JVM of the run but the live client's (it
 *     compiles in its own warm-up, C1 alone) over the window, as a share of one core ({@link dev.backfill.bench.machine.CompilerCpu}): CPU that ends once the code is
 *     compiled, which a window in a backfill's first minutes would charge to it
 * @param probeMillis every probe of the window, in the primary's ms
 * @param probeMeanWaitMs how long past the alone runs' probe median the window's probes lasted, on
 *     average (a probe faster than it counts as 0): what {@code GET /governor} shows as {@code
 *     recent_mean_wait_ms}, over the whole window, each probe counted up to two {@code
 *     live-latency}s as the governor counts it. Every slow probe counts in it, where the tail is
 *     one of a few
 */
public record RunFigures(
    String name,
    String design,
    boolean pinned,
    int nodes,
    int workers,
    double callsPerSecond,
    long processed,
    long skipped,
    boolean outlastedWindow,
    long liveRequests,
    long liveErrors,
    long liveUnfinished,
    double liveP50Ms,
    double liveP99Ms,
    double liveP999Ms,
    double liveMaxMs,
    double liveP99Ratio,
    double liveP50Ratio,
    double probeMedianMs,
    double probeTailMs,
    double probeRatio,
    List<Double> coreBusyPercent,
    int primaryMaxConnections,
    int connectionSamples,
    double primaryTps,
    double primaryRowsReadPerSecond,
    double primarySessionsPerSecond,
    double backfillWarmupSeconds,
    boolean backfillWarmupQuiet,
    double compilerCorePercent,
    List<Double> probeMillis,
    double probeMeanWaitMs) {

  /** The ratios against the alone runs' figures. */
  public RunFigures withRatios(Baseline baseline) {
    return new RunFigures(
        name, design, pinned, nodes, workers, callsPerSecond, processed, skipped, outlastedWindow,
        liveRequests, liveErrors, liveUnfinished, liveP50Ms, liveP99Ms, liveP999Ms, liveMaxMs,
        baseline.liveP99Ms() > 0 ? liveP99Ms / baseline.liveP99Ms() : Double.NaN,
        baseline.liveP50Ms() > 0 ? liveP50Ms / baseline.liveP50Ms() : Double.NaN,
        probeMedianMs, probeTailMs,
        Double.isFinite(baseline.probeTailMs()) && Double.isFinite(probeTailMs)
            ? LivePathMonitor.liveRatio(probeTailMs, baseline.probeTailMs(), baseline.liveLatencyMs())
            : Double.NaN,
        coreBusyPercent,
        primaryMaxConnections, connectionSamples, primaryTps, primaryRowsReadPerSecond, primarySessionsPerSecond,
        backfillWarmupSeconds, backfillWarmupQuiet, compilerCorePercent,
        probeMillis, meanPast(probeMillis, baseline.probeMedianMs(), LivePathMonitor.WAIT_CAP_LIVE_LATENCIES * baseline.liveLatencyMs()));
  }

  /** As the governor counts it ({@link LatencyWindow#meanPast}), over the whole window. */
  private static double meanPast(List<Double> millis, double floorMs, double capMs) {
    if (!Double.isFinite(floorMs)) {
      return Double.NaN;
    }
    return LatencyWindow.meanPast(millis.stream().mapToDouble(Double::doubleValue).toArray(), floorMs, capMs);
  }

  /** The alone runs' figures (their means), and the governor's {@code live-latency} in ms. */
  public record Baseline(
      double liveP99Ms, double liveP50Ms, double probeTailMs, double probeMedianMs, double liveLatencyMs) {}
}
