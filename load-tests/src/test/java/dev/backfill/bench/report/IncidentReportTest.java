package dev.backfill.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.bench.incident.RunFigures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncidentReportTest {

  private static final List<RunFigures> RUNS = List.of(
      run("alone-1", "alone", true, 0, 1.0),
      run("alone-2", "alone", true, 0, 1.5),
      run("naive-fast", "naive", true, 500, 1.1),
      run("naive-slow", "naive", true, 100, 3.0),
      run("engine-a", "engine", true, 400, 1.2),
      run("naive-shared", "naive", false, 300, 2.5),
      run("engine-shared", "engine", false, 350, 1.5));

  @TempDir Path directory;

  @Test
  void reportsANaiveRunAsDominatingOnlyWhenItIsAsGentleAndAsFast() throws IOException {
    String markdown = markdownFor(RUNS);
    assertTrue(markdown.contains("- `naive-fast` dominates `engine-a` ("), markdown);
    assertTrue(markdown.contains("- `naive-slow` dominates no engine run."), markdown);
    assertFalse(markdown.contains("`naive-slow` dominates `"), markdown);
    assertTrue(markdown.contains("- `naive-shared` dominates no engine run."), markdown);
    assertFalse(markdown.contains("`naive-fast` dominates `engine-shared`"), "placements are compared apart");
  }

  @Test
  void saysWhenADominatingRunIsWithinTheNoiseOfTheAloneRuns() throws IOException {
    String markdown = markdownFor(RUNS);
    // The pinned alone runs are 1.5x apart; naive-fast (1.1x) and engine-a (1.2x) are closer than that.
    assertTrue(markdown.contains("6.00 ms and 9.00 ms, 1.50x apart"), markdown);
    assertTrue(markdown.contains("`naive-fast` dominates `engine-a` (p99 within noise; "), markdown);
    assertEquals(1.5, ParetoSummary.aloneSpread(RUNS.subList(0, 2)), 1e-9);
  }

  @Test
  void aDominatingRunFurtherApartThanTheAloneRunsIsNotCalledNoise() throws IOException {
    List<RunFigures> runs = List.of(
        run("alone-1", "alone", true, 0, 1.0),
        run("alone-2", "alone", true, 0, 1.1),
        run("naive-fast", "naive", true, 500, 1.1),
        run("engine-a", "engine", true, 400, 2.0));
    String markdown = markdownFor(runs);
    assertTrue(markdown.contains("`naive-fast` dominates `engine-a` (live p50 "), markdown);
  }

  @Test
  void drawsOneCirclePerRunWithABackfill() throws IOException {
    IncidentReport.write(directory, "2025-06-01", "./backfill bench incident", RUNS);

    String svg = Files.readString(directory.resolve("incident.svg"));
    long circles = Pattern.compile("<circle ").matcher(svg).results().count();
    assertEquals(5, circles, svg);
  }

  @Test
  void showsTheCompilersShareAndTheWarmupAndWhetherTheCompilersWereQuiet() throws IOException {
    RunFigures quiet = run("engine-quiet", "engine", true, 400, 1.2);
    RunFigures busy =
        new RunFigures(
            "engine-busy", "engine", true, 1, 0, 400, 24_000, 0, true, 12_000, 0, 0, 1.2, 7.2, 20.0, 60.0, 1.2, 1.0,
            0.2, 0.3, 1.1, List.of(40.0, 90.0), 2, 60, 400, 80_000, 0.5, 180, false, 27.4, List.of(), Double.NaN);
    String markdown = markdownFor(List.of(run("alone-1", "alone", true, 0, 1.0), quiet, busy));
    assertTrue(markdown.contains("| cores busy % | JIT % of a core | backfill warm-up s |"), markdown);
    assertTrue(markdown.contains("| 40 / 90 | 3 | 40 |"), markdown);
    assertTrue(markdown.contains("| 40 / 90 | 27 | 180 (compilers not quiet) |"), markdown);
  }

  @Test
  void theProbeMeanWaitIsHowLongTheProbesLastedPastTheAloneRunsMedianOnAverage() throws IOException {
    RunFigures engine =
        new RunFigures(
                "engine-probed", "engine", true, 1, 0, 400, 24_000, 0, true, 12_000, 0, 0, 1.2, 7.2, 20.0, 60.0, 1.2, 1.0,
                0.3, 2.3, 1.1, List.of(40.0, 90.0), 2, 60, 400, 80_000, 0.5, 40, true, 3.0,
                List.of(0.2, 0.3, 1.3, 10.3), Double.NaN)
            .withRatios(new RunFigures.Baseline(6.0, 1.2, 0.5, 0.3, 1.0));
    // Past 0.3 ms: 0, 0, 1 and 10 ms, the last counted up to two live latencies (2 ms), as the
    // governor counts it; the probe faster than the median counts as 0, not -0.1.
    assertEquals(0.75, engine.probeMeanWaitMs(), 1e-9);
    String markdown = markdownFor(List.of(run("alone-1", "alone", true, 0, 1.0), engine));
    assertTrue(markdown.contains("| probe ratio | probe mean wait ms | cores busy % |"), markdown);
    assertTrue(markdown.contains("| 0.750 | 40 / 90 |"), markdown);
  }

  @Test
  void showsTheSessionsEstablishedOnThePrimaryPerSecond() throws IOException {
    String markdown = markdownFor(List.of(run("alone-1", "alone", true, 0, 1.0)));
    assertTrue(markdown.contains("| rows read/s | primary sessions/s |"), markdown);
    assertTrue(markdown.contains("| 400 | 80000 | 0.50 |"), markdown);
  }

  @Test
  void namesAControlRunThatCouldNotBeMeasuredUnderTheTable() throws IOException {
    IncidentReport.write(
        directory, "2025-06-01", "./backfill bench incident", RUNS,
        List.of("engine 1 node, whole node in the background shared: the job processed no call within 120 s"));

    String markdown = Files.readString(directory.resolve("incident.md"));
    assertTrue(
        markdown.contains(
            "Control run not measured: engine 1 node, whole node in the background shared: the job processed no call within 120 s"),
        markdown);
    assertTrue(!markdownFor(RUNS).contains("Control run not measured"), "none without a failed control");
  }

  private String markdownFor(List<RunFigures> runs) throws IOException {
    IncidentReport.write(directory, "2025-06-01", "./backfill bench incident", runs);
    return Files.readString(directory.resolve("incident.md"));
  }

  private static RunFigures run(String name, String design, boolean pinned, double callsPerSecond, double ratio) {
    return new RunFigures(
        name, design, pinned, 0, 0, callsPerSecond, (long) callsPerSecond * 60, 0, true,
        12_000, 0, 0, 1.2, 6.0 * ratio, 20.0, 60.0, ratio, 1.0, 0.2, 0.3, 1.1, List.of(40.0, 90.0), 4, 60, 400, 80_000, 0.5, 40, true, 3.0,
        List.of(), Double.NaN);
  }
}
