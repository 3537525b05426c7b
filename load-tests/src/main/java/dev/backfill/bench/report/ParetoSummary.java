package dev.backfill.bench.report;

import dev.backfill.bench.incident.RunFigures;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether the naive task queue, at some fleet size, is at least as gentle on the live path and at
 * least as fast as the engine: if so, the engine is not worth its complexity in that placement.
 */
final class ParetoSummary {

  private ParetoSummary() {}

  static String markdown(List<RunFigures> runs) {
    StringBuilder text = new StringBuilder("## Pareto\n\n");
    text.append("A naive run dominates an engine run when its live p99 ratio is at most the engine's")
        .append(" and its backfill calls/s at least the engine's.\n");
    for (boolean pinned : new boolean[] {true, false}) {
      List<RunFigures> naive = runs.stream().filter(r -> r.pinned() == pinned && RunKind.isNaive(r)).toList();
      List<RunFigures> engine = runs.stream().filter(r -> r.pinned() == pinned && RunKind.isEngine(r)).toList();
      List<RunFigures> alone = runs.stream().filter(r -> r.pinned() == pinned && RunKind.isAlone(r)).toList();
      if (!naive.isEmpty() || !engine.isEmpty()) {
        text.append('\n').append(placementSection(RunKind.placement(pinned), naive, engine, alone));
      }
    }
    return text.toString();
  }

  /**
   * How far apart the alone runs of one placement are, slowest p99 over fastest: the same live
   * workload on the same idle primary, so ratios that differ by less than this are not told apart
   * by one run. NaN with fewer than two alone runs.
   */
  static double aloneSpread(List<RunFigures> alone) {
    if (alone.size() < 2) {
      return Double.NaN;
    }
    double fastest = alone.stream().mapToDouble(RunFigures::liveP99Ms).min().orElseThrow();
    double slowest = alone.stream().mapToDouble(RunFigures::liveP99Ms).max().orElseThrow();
    return fastest > 0 ? slowest / fastest : Double.NaN;
  }

  static boolean dominates(RunFigures naive, RunFigures engine) {
    return naive.liveP99Ratio() <= engine.liveP99Ratio() && naive.callsPerSecond() >= engine.callsPerSecond();
  }

  private static String placementSection(
      String placement, List<RunFigures> naive, List<RunFigures> engine, List<RunFigures> alone) {
    StringBuilder text = new StringBuilder("### ").append(capitalized(placement)).append("\n\n");
    text.append("Naive runs: ").append(listed(naive)).append(". Engine runs: ").append(listed(engine)).append(".\n\n");
    double spread = aloneSpread(alone);
    if (Double.isFinite(spread)) {
      text.append("The live workload alone, at the start and at the end: p99 ")
          .append(alone.stream().map(r -> FigureFormat.millis(r.liveP99Ms()) + " ms").collect(Collectors.joining(" and ")))
          .append(", ").append(FigureFormat.ratio(spread)).append(" apart")
          .append(": p99 ratios closer together than that are within this run's noise.\n\n");
    }
    if (engine.isEmpty() || naive.isEmpty()) {
      return text.append(engine.isEmpty() ? "No engine run" : "No naive run").append(" to compare with.\n").toString();
    }
    for (RunFigures candidate : naive) {
      List<RunFigures> dominated = engine.stream().filter(e -> dominates(candidate, e)).toList();
      text.append("- ").append(code(candidate.name())).append(" dominates ");
      text.append(dominated.isEmpty() ? "no engine run" : dominated.stream()
          .map(e -> code(e.name()) + medians(candidate, e, spread)).collect(Collectors.joining(", ")));
      text.append(".\n");
    }
    return text.toString();
  }

  /** For a dominated engine run: whether the p99 verdict is within noise, and what the medians say. */
  private static String medians(RunFigures naive, RunFigures engine, double spread) {
    boolean withinNoise = Double.isFinite(spread) && engine.liveP99Ratio() / naive.liveP99Ratio() < spread;
    return " (" + (withinNoise ? "p99 within noise; " : "")
        + "live p50 " + FigureFormat.ratio(naive.liveP50Ratio()) + " beside the naive run, "
        + FigureFormat.ratio(engine.liveP50Ratio()) + " beside the engine)";
  }

  private static String listed(List<RunFigures> runs) {
    if (runs.isEmpty()) {
      return "none";
    }
    return runs.stream()
        .map(r -> code(r.name()) + " (p99 " + FigureFormat.ratio(r.liveP99Ratio()) + ", "
            + FigureFormat.callsPerSecond(r.callsPerSecond()) + " calls/s)")
        .collect(Collectors.joining(", "));
  }

  private static String code(String name) {
    return "`" + name + "`";
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }
}
