package dev.backfill.bench.machine;

import dev.backfill.cluster.local.ExternalCommand;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Places processes on cores with {@code taskset}, so that a run can give the primary a core of its
 * own, as it has on a machine of its own in production. Without it, a figure measures CPU
 * contention from co-location as much as load on the primary.
 */
public final class CpuPinning {

  /** Core 0: the primary and the live client. */
  public static final String PRIMARY_CORE = "0";
  /** Core 1: the backfill, the engine's nodes and stores, the benchmark itself. */
  public static final String BACKFILL_CORE = "1";
  /** Both cores, shared by everything. */
  public static final String ALL_CORES = "0,1";

  private CpuPinning() {}

  /** Whether this machine can pin: taskset exists and there are at least two cores. */
  public static boolean available() {
    if (Runtime.getRuntime().availableProcessors() < 2) {
      return false;
    }
    return ExternalCommand.failureOf(List.of("taskset", "-p", Long.toString(ProcessHandle.current().pid()))) == null;
  }

  /**
   * Sets the affinity of every thread of {@code pid} and of all its descendants (PostgreSQL's
   * existing backends, Cassandra's children). Processes forked later inherit it from their parent.
   * A process that ended meanwhile is skipped.
   */
  public static void pin(long pid, String cores) {
    List<Long> pids = new ArrayList<>();
    pids.add(pid);
    ProcessHandle.of(pid).ifPresent(handle -> handle.descendants().forEach(child -> pids.add(child.pid())));
    for (long each : pids) {
      String failure = ExternalCommand.failureOf(List.of("taskset", "-a", "-p", "-c", cores, Long.toString(each)));
      // A placement that silently failed would make a pinned figure measure the shared machine.
      if (failure != null && ProcessHandle.of(each).map(ProcessHandle::isAlive).orElse(false)) {
        throw new IllegalStateException("taskset could not place pid " + each + " on cores " + cores + ": " + failure);
      }
    }
  }

  /**
   * Places the kernel's proactive memory reclaim threads (DAMON's {@code kdamond}, where the
   * machine runs it) on these cores and returns how many there were. They page out cold memory of
   * every process on the machine, in bursts of 1-4 ms of CPU each, and this machine's ran on the
   * primary's core: perf sched blamed it for 63% of the time the live client's threads waited for
   * that core during an engine run (the engine's nodes and Cassandra give it most of the memory
   * to scan). On a machine of its own the primary's core would reclaim only the primary's memory:
   * the pinned placement puts the reclaim with the backfill, and the shared one leaves it free.
   * Best effort: a machine without DAMON, or a user who may not move kernel threads, is warned.
   */
  public static int placeMemoryReclaim(String cores) {
    int placed = 0;
    try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc"))) {
      for (var task : tasks.toList()) {
        String name = task.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        String command;
        try {
          command = java.nio.file.Files.readString(task.resolve("comm")).trim();
        } catch (IOException gone) {
          continue;
        }
        if (command.startsWith("kdamond")) {
          try {
            pin(Long.parseLong(name), cores);
            placed++;
          } catch (IllegalStateException e) {
            System.err.println("  WARNING could not place the kernel's memory reclaim thread " + name + ": " + e.getMessage());
          }
        }
      }
    } catch (IOException e) {
      System.err.println("  WARNING cannot list /proc to find the memory reclaim threads: " + e.getMessage());
    }
    return placed;
  }

  /** A command prefix that starts a process on these cores. */
  public static List<String> prefix(String cores) {
    return List.of("taskset", "-c", cores);
  }
}
