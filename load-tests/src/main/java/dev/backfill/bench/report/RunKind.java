package dev.backfill.bench.report;

import dev.backfill.bench.incident.IncidentBench;
import dev.backfill.bench.incident.RunFigures;

/** The report's reading of {@link RunFigures#design()} and {@link RunFigures#pinned()}. */
final class RunKind {

  static final String NAIVE = "naive";
  static final String ENGINE = "engine";
  static final String ALONE = "alone";

  private RunKind() {}

  static boolean isNaive(RunFigures run) {
    return NAIVE.equals(run.design());
  }

  static boolean isEngine(RunFigures run) {
    return ENGINE.equals(run.design());
  }

  /** The live workload with no backfill beside it: a baseline run. */
  static boolean isAlone(RunFigures run) {
    return ALONE.equals(run.design());
  }

  /**
   * A run with a backfill beside the live workload, as opposed to a baseline run alone: the
   * engine's control with every thread in the background too (not a point of the Pareto front).
   */
  static boolean hasBackfill(RunFigures run) {
    return isNaive(run) || isEngine(run) || IncidentBench.WHOLE_NODE_BACKGROUND.equals(run.design());
  }

  static String placement(RunFigures run) {
    return placement(run.pinned());
  }

  static String placement(boolean pinned) {
    return pinned ? "pinned" : "shared";
  }
}
