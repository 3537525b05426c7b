package dev.backfill.bench.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time spent by process trees, from the kernel's own accounting ({@code /proc/PID/stat}): a
 * root, every descendant alive at the moment of reading, and the descendants that ended and were
 * waited for (the root's cutime and cstime: PostgreSQL's backends that closed). A process that
 * was alive at the start and ended before the end is charged in full, including what it spent
 * before the start; PostgreSQL's backends here live as long as their connections, which outlast
 * a run.
 */
public final class ProcessCpu {

  /** USER_HZ: the unit of /proc's times on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessCpu() {}

  /** CPU seconds used so far by the trees under these roots (roots that are gone count 0). */
  public static double secondsUnder(Set<Long> roots) {
    Map<Long, List<Long>> children = childrenByParent();
    double ticks = 0;
    for (long root : roots) {
      long[] own = times(root);
      if (own == null) {
        continue;
      }
      // The root's own time and that of its waited-for children, then the living descendants'.
      ticks += own[0] + own[1] + own[2] + own[3];
      List<Long> pending = new ArrayList<>(children.getOrDefault(root, List.of()));
      while (!pending.isEmpty()) {
        long pid = pending.remove(pending.size() - 1);
        long[] times = times(pid);
        if (times != null) {
          ticks += times[0] + times[1];
        }
        pending.addAll(children.getOrDefault(pid, List.of()));
      }
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** utime, stime, cutime, cstime of a process, or null when it is gone. */
  private static long[] times(long pid) {
    String[] fields = statFields(pid);
    if (fields == null) {
      return null;
    }
    // Fields after the command's closing parenthesis: state is [0], utime is field 14 of the
    // whole line, so [11]; stime [12], cutime [13], cstime [14].
    return new long[] {
      Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[13]), Long.parseLong(fields[14])
    };
  }

  private static long parent(String[] fields) {
    return Long.parseLong(fields[1]);
  }

  /** The fields of /proc/PID/stat after the command name (which may hold spaces), or null. */
  private static String[] statFields(long pid) {
    try {
      String line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = line.lastIndexOf(')');
      return line.substring(close + 2).trim().split("\\s+");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static Map<Long, List<Long>> childrenByParent() {
    Map<Long, List<Long>> children = new HashMap<>();
    try (var entries = Files.list(Path.of("/proc"))) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid = Long.parseLong(name);
        String[] fields = statFields(pid);
        if (fields != null) {
          children.computeIfAbsent(parent(fields), ignored -> new ArrayList<>()).add(pid);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    return children;
  }
}
