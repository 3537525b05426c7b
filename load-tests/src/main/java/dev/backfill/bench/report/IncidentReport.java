package dev.backfill.bench.report;

import dev.backfill.bench.incident.RunFigures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The incident benchmark's report: {@code incident.md} (table and Pareto reading) and {@code incident.svg}. */
public final class IncidentReport {

  private static final String NOT_APPLICABLE = "-";
  private static final String FINISHED_EARLY_MARK = "\u2020";

  private IncidentReport() {}

  public static void write(Path directory, String date, String command, List<RunFigures> runs) {
    write(directory, date, command, runs, List.of());
  }

  /**
   * @param failedControls control runs that could not be measured, each with why: findings the
   *     report names under its table, not reasons to lose the runs measured before them
   */
  public static void write(
      Path directory, String date, String command, List<RunFigures> runs, List<String> failedControls) {
    String markdown = "# Incident benchmark\n\n"
        + "Date: " + date + "\n\n"
        + "Command:\n\n```\n" + command + "\n```\n\n"
        + markdownTable(runs) + "\n"
        + failedControls.stream().map(failed -> "Control run not measured: " + failed + "\n\n").collect(Collectors.joining())
        + "Probe ratio: the governor's own probe, run by the benchmark beside every run at the governor's"
        + " interval, read as the governor's tail signal reads it (the probes' percentile that the"
        + " governor's tail-percentile names, against the alone runs', over the window): what the governor would see of each run."
        + " Probe mean wait: how long past the alone runs' probe median the same probes lasted, on average (every slow"
        + " probe counts, where the tail is one of a few): what GET /governor shows as recent_mean_wait_ms. Cores busy: core 0,"
        + " then core 1, over the window, from /proc/stat (pinned: the primary's core, then the backfill's)."
        + " JIT: the compiler threads of every JVM of the run but the live client's (it compiles in its"
        + " own warm-up, with C1 alone) over the window, as a share of one core."
        + " Backfill warm-up: how long the backfill ran before the live client started (at least the"
        + " minimum, then until every JVM's compilers were quiet, at most the maximum)."
        + " Primary sessions: connections established to the calls database per second over the window"
        + " (pg_stat_database.sessions), everyone's: each a backend the primary forks and sets up on its own cores.\n\n"
        + "![live p99 ratio against backfill calls/s](incident.svg)\n\n"
        + ParetoSummary.markdown(runs);
    try {
      Files.createDirectories(directory);
      Files.writeString(directory.resolve("incident.md"), markdown, StandardCharsets.UTF_8);
      Files.writeString(directory.resolve("incident.svg"), IncidentChart.svg(date, runs), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the incident report to " + directory, e);
    }
  }

  /** One row per run, in the given order, followed by notes on figures the table alone would misrepresent. */
  public static String markdownTable(List<RunFigures> runs) {
    StringBuilder table = new StringBuilder();
    table.append("| run | placement | backfill calls/s | processed | skipped | live p50 ms | live p99 ms"
        + " | live p99.9 ms | live max ms | p99 vs alone | p50 vs alone | probe ratio | probe mean wait ms | cores busy % | JIT % of a core | backfill warm-up s"
        + " | primary connections at peak | primary tx/s | rows read/s | primary sessions/s |\n");
    table.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (RunFigures run : runs) {
      table.append(row(run)).append('\n');
    }
    table.append(notes(runs));
    return table.toString();
  }

  private static String row(RunFigures run) {
    boolean backfill = RunKind.hasBackfill(run);
    List<String> cells = List.of(
        cell(run.name()),
        RunKind.placement(run),
        backfill ? callsPerSecond(run) : NOT_APPLICABLE,
        backfill ? Long.toString(run.processed()) : NOT_APPLICABLE,
        backfill ? Long.toString(run.skipped()) : NOT_APPLICABLE,
        FigureFormat.millis(run.liveP50Ms()),
        FigureFormat.millis(run.liveP99Ms()),
        FigureFormat.millis(run.liveP999Ms()),
        FigureFormat.millis(run.liveMaxMs()),
        FigureFormat.ratio(run.liveP99Ratio()),
        FigureFormat.ratio(run.liveP50Ratio()),
        FigureFormat.ratio(run.probeRatio()),
        Double.isFinite(run.probeMeanWaitMs()) ? String.format(Locale.ROOT, "%.3f", run.probeMeanWaitMs()) : NOT_APPLICABLE,
        coresBusy(run),
        Double.isFinite(run.compilerCorePercent()) ? Long.toString(Math.round(run.compilerCorePercent())) : NOT_APPLICABLE,
        warmup(run),
        backfill ? run.primaryMaxConnections() + " (" + run.connectionSamples() + " samples)" : NOT_APPLICABLE,
        FigureFormat.perSecond(run.primaryTps()),
        FigureFormat.perSecond(run.primaryRowsReadPerSecond()),
        Double.isFinite(run.primarySessionsPerSecond())
            ? String.format(Locale.ROOT, "%.2f", run.primarySessionsPerSecond())
            : NOT_APPLICABLE);
    return "| " + String.join(" | ", cells) + " |";
  }

  /** "12 / 97": core 0, then core 1 (pinned: the primary's core, then the backfill's). */
  private static String coresBusy(RunFigures run) {
    if (run.coreBusyPercent().isEmpty()) {
      return NOT_APPLICABLE;
    }
    return run.coreBusyPercent().stream()
        .map(percent -> Double.isFinite(percent) ? Long.toString(Math.round(percent)) : NOT_APPLICABLE)
        .collect(Collectors.joining(" / "));
  }

  /** "180 (compilers not quiet)" when the warm-up ended at its maximum with the compilers still busy. */
  private static String warmup(RunFigures run) {
    if (run.backfillWarmupSeconds() <= 0) {
      return NOT_APPLICABLE;
    }
    return Math.round(run.backfillWarmupSeconds()) + (run.backfillWarmupQuiet() ? "" : " (compilers not quiet)");
  }

  private static String callsPerSecond(RunFigures run) {
    return FigureFormat.callsPerSecond(run.callsPerSecond()) + (run.outlastedWindow() ? "" : FINISHED_EARLY_MARK);
  }

  private static String notes(List<RunFigures> runs) {
    StringBuilder notes = new StringBuilder();
    if (runs.stream().anyMatch(r -> RunKind.hasBackfill(r) && !r.outlastedWindow())) {
      notes.append("\n").append(FINISHED_EARLY_MARK)
          .append(" ran out of work before the window closed: its calls/s understates what it could do.\n");
    }
    String failing = runs.stream()
        .filter(r -> r.liveErrors() > 0)
        .map(r -> r.name() + " " + r.liveErrors() + " of " + (r.liveRequests() + r.liveErrors()))
        .collect(Collectors.joining(", "));
    if (!failing.isEmpty()) {
      notes.append("\nLive requests that failed, left out of the latencies: ").append(failing).append(".\n");
    }
    String overwhelmed = runs.stream()
        .filter(r -> r.liveUnfinished() > 0)
        .map(r -> r.name() + " (" + r.liveUnfinished() + " unfinished)")
        .collect(Collectors.joining(", "));
    if (!overwhelmed.isEmpty()) {
      notes.append("\nThe live client could not keep up, so its latencies are lower bounds: ")
          .append(overwhelmed)
          .append(". Requests still waiting 30 s after the window are counted with the time they had waited.\n");
    }
    return notes.toString();
  }

  private static String cell(String text) {
    return text.replace("|", "\\|");
  }
}
