package dev.backfill.bench.machine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CPU time spent by process trees, from the kernel's own accounting ({@code /proc/PID/stat}): a
 * root, every descendant alive at the moment of reading, and the children that ended and were
 * waited for (their parent's cutime and cstime: PostgreSQL's backends that closed). A process
 * alive at one reading and ended by the next moves from its own time to its parent's waited-for
 * time, so the difference between two readings is what the trees spent in between.
 */
public final class ProcessCpu {

  /** USER_HZ: the unit of /proc's times on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessCpu() {}

  /**
   * CPU seconds used so far by the trees under these roots (roots that are gone count 0). Each
   * process counts once, also when it is under two roots (PostgreSQL and Cassandra are children
   * of the JVM that started them): its own time and that of its children that ended.
   */
  public static double secondsUnder(Set<Long> roots) {
    Map<Long, List<Long>> children = childrenByParent();
    Set<Long> trees = new HashSet<>();
    List<Long> pending = new ArrayList<>(roots);
    while (!pending.isEmpty()) {
      long pid = pending.remove(pending.size() - 1);
      if (trees.add(pid)) {
        pending.addAll(children.getOrDefault(pid, List.of()));
      }
    }
    long ticks = 0;
    for (long pid : trees) {
      long[] times = times(pid);
      if (times != null) {
        ticks += times[0] + times[1] + times[2] + times[3];
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
