package dev.backfill.bench.raw;

import dev.backfill.bench.machine.HeapHistogram;
import java.util.List;

/** The Markdown table of a {@code bench raw} invocation, for the report folder and the README. */
final class RawReport {

  private RawReport() {}

  static String markdown(List<RawRun> runs, RawBench.HeapCheck heap, RawOptions options) {
    StringBuilder table = new StringBuilder();
    table.append("`").append(options.command()).append("`, ").append(java.time.LocalDate.now()).append(": ")
        .append(String.format("%,d calls seeded; each run: %d s warm-up, then a %d s window.%n%n",
            options.calls(), options.warmup().toSeconds(), options.window().toSeconds()));
    table.append("| run | calls/s | CPU ms per call | bytes between nodes per call | node shares | peak primary connections | throttled ms |\n");
    table.append("| --- | ---: | ---: | ---: | --- | ---: | ---: |\n");
    for (RawRun run : runs) {
      table.append(String.format("| %s | %,.0f | %.2f | %s | %s | %d | %,d |%n",
          run.name(), run.callsPerSecond(), run.cpuMsPerCall(),
          run.nodes() > 1 ? String.format("%,.0f", run.internodeBytesPerCall()) : "-",
          run.nodeShares().isEmpty() ? "-" : run.nodeShares().stream().map(share -> String.format("%.0f%%", share * 100)).toList(),
          run.primaryMaxConnections(), run.throttledMs()));
    }
    if (heap != null) {
      table.append(String.format(
          "%nHeap check: a job over %,d calls on one node with -Xmx%s ended %s in %.0f s; used heap after a full GC"
              + " %.1f MB before the job, %.1f MB after (%+.1f%%).%n",
          heap.calls(), options.heapLimit(), heap.status(), heap.seconds(),
          heap.usedBeforeBytes() / 1e6, heap.usedAfterBytes() / 1e6, heap.growthPercent()));
      table.append(String.format(
          "A second job over the same calls (%s, a fresh computation) ended %s with %,d processed and left %.1f MB"
              + " (%+.1f%% on the first job's).%n",
          heap.secondProcessor(), heap.secondStatus(), heap.secondCalls(),
          heap.usedAfterSecondBytes() / 1e6, heap.secondJobGrowthPercent()));
      appendGrowth(table, "The classes whose live objects grew most over the first job", heap.largestGrowth());
      appendGrowth(table, "Over the second job", heap.largestGrowthSecondJob());
    }
    return table.toString();
  }

  private static void appendGrowth(StringBuilder table, String title, List<HeapHistogram.Growth> growth) {
    table.append(String.format("%n%s:%n%n| class | bytes | instances |%n| --- | ---: | ---: |%n", title));
    growth.forEach(g -> table.append(String.format("| `%s` | %,d | %,d |%n", g.className(), g.bytes(), g.instances())));
  }
}
