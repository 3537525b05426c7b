package dev.backfill.bench.machine;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JVM's live heap, read from outside with the JDK's {@code jcmd}: a full collection first
 * ({@code GC.run}), then the heap's used bytes ({@code GC.heap_info}). What is left after a full
 * collection is what the process holds on to.
 */
public final class HeapAfterGc {

  /** "used NK" of a heap space: G1's one line, or the young and old generations of the others. */
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  private HeapAfterGc() {}

  /** Used heap in bytes after a full collection in process {@code pid}. */
  public static long usedBytes(long pid) {
    jcmd(pid, "GC.run");
    return usedBytes(jcmd(pid, "GC.heap_info"));
  }

  /** The used heap in {@code GC.heap_info}'s output: every space's "used", Metaspace aside. */
  static long usedBytes(String heapInfo) {
    long kilobytes = 0;
    boolean found = false;
    for (String line : heapInfo.split("\n")) {
      if (line.contains("Metaspace") || line.contains("class space")) {
        continue;
      }
      Matcher used = USED.matcher(line);
      if (used.find()) {
        kilobytes += Long.parseLong(used.group(1));
        found = true;
      }
    }
    if (!found) {
      throw new IllegalStateException("GC.heap_info named no used heap: " + heapInfo);
    }
    return kilobytes * 1024;
  }

  private static String jcmd(long pid, String command) {
    return Commands.jcmd(pid, command, Duration.ofSeconds(60));
  }
}
