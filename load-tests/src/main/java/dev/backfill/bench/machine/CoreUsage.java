package dev.backfill.bench.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How busy each core was over a window, from the kernel's own counters ({@code /proc/stat}): in a
 * pinned run, whether the backfill kept its own core busy and whether anything but the primary
 * and the live client ran on the primary's. Whether the cores are independent here is an open
 * question (see incident.BusyCore): {@code sha256sum /dev/zero} on core 1 slowed a primary pinned
 * to core 0, a Java thread hashing or reading the clock on core 1 did not.
 */
public final class CoreUsage {

  private static final Path PROC_STAT = Path.of("/proc/stat");

  /** Cumulative busy and total ticks per core at one moment; empty where /proc/stat is missing. */
  public record Snapshot(List<long[]> busyAndTotal) {

    /** Percent busy per core between an earlier snapshot and this one (empty if unknown). */
    public List<Double> busyPercentSince(Snapshot earlier) {
      List<Double> percent = new ArrayList<>();
      for (int core = 0; core < Math.min(busyAndTotal.size(), earlier.busyAndTotal.size()); core++) {
        long busy = busyAndTotal.get(core)[0] - earlier.busyAndTotal.get(core)[0];
        long total = busyAndTotal.get(core)[1] - earlier.busyAndTotal.get(core)[1];
        percent.add(total > 0 ? 100.0 * busy / total : Double.NaN);
      }
      return percent;
    }
  }

  private CoreUsage() {}

  public static Snapshot now() {
    if (!Files.isReadable(PROC_STAT)) {
      return new Snapshot(List.of());
    }
    try {
      List<long[]> cores = new ArrayList<>();
      for (String line : Files.readAllLines(PROC_STAT)) {
        // "cpuN user nice system idle iowait irq softirq steal guest guest_nice"; guest time is
        // already counted in user, so only the first eight fields add up to the total.
        if (!line.matches("cpu\\d+ .*")) {
          continue;
        }
        String[] fields = line.trim().split("\\s+");
        long total = 0;
        for (int i = 1; i <= Math.min(8, fields.length - 1); i++) {
          total += Long.parseLong(fields[i]);
        }
        long idle = Long.parseLong(fields[4]) + (fields.length > 5 ? Long.parseLong(fields[5]) : 0);
        cores.add(new long[] {total - idle, total});
      }
      return new Snapshot(cores);
    } catch (IOException | RuntimeException e) {
      return new Snapshot(List.of());
    }
  }
}
