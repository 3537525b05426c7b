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
      if (!naive.isEmpty() || !engine.isEmpty()) {
        text.append('\n').append(placementSection(RunKind.placement(pinned), naive, engine));
      }
    }
    return text.toString();
  }

  static boolean dominates(RunFigures naive, RunFigures engine) {
    return naive.liveP99Ratio() <= engine.liveP99Ratio() && naive.callsPerSecond() >= engine.callsPerSecond();
  }

  private static String placementSection(String placement, List<RunFigures> naive, List<RunFigures> engine) {
    StringBuilder text = new StringBuilder("### ").append(capitalized(placement)).append("\n\n");
    text.append("Naive runs: ").append(listed(naive)).append(". Engine runs: ").append(listed(engine)).append(".\n\n");
    if (engine.isEmpty() || naive.isEmpty()) {
      return text.append(engine.isEmpty() ? "No engine run" : "No naive run").append(" to compare with.\n").toString();
    }
    for (RunFigures candidate : naive) {
      List<RunFigures> dominated = engine.stream().filter(e -> dominates(candidate, e)).toList();
      text.append("- ").append(code(candidate.name())).append(" dominates ");
      text.append(dominated.isEmpty() ? "no engine run" : dominated.stream()
          .map(e -> code(e.name())).collect(Collectors.joining(", ")));
      text.append(".\n");
    }
    return text.toString();
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
