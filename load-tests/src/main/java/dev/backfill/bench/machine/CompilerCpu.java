package dev.backfill.bench.machine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time spent by the JIT compilers of this JVM and every JVM under it (the engine's nodes,
 * Cassandra, the naive workers, the live client), from the kernel's per-thread accounting
 * ({@code /proc/PID/task/TID/stat} of the threads HotSpot names "C1 CompilerThread" and "C2
 * CompilerThread"). A JVM compiles its hot code for minutes after it starts working, on every core
 * it can get: on a machine shared with the primary that is CPU the live path waits behind, and it
 * ends, so a benchmark of a backfill that runs for hours measures after it.
 */
public final class CompilerCpu {

  /** USER_HZ: the unit of /proc's times on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** The kernel keeps 15 characters of a thread's name: "C2 CompilerThread0" reads "C2 CompilerThre". */
  private static final String COMPILER_THREAD = " CompilerThre";

  /**
   * Each compiler thread's ticks at the last reading, by its thread id: HotSpot starts and retires
   * compiler threads as the queue of work grows and shrinks, so a process's sum can fall while its
   * other threads keep compiling.
   */
  private final Map<Long, Long> lastTicks = new HashMap<>();

  private long counted;

  private CompilerCpu() {}

  /**
   * Starts counting from now. Threads that end keep what was counted of them up to the last
   * reading that saw them (their times go with them), so read at least as often as what is to be
   * counted ends: a run reads at its window's start and end, by when the live client's JVM is gone.
   */
  public static CompilerCpu startCounting() {
    CompilerCpu clock = new CompilerCpu();
    clock.read(true);
    return clock;
  }

  /** CPU seconds the compilers of this JVM and the processes under it used since counting started. */
  public synchronized double secondsSinceStart() {
    read(false);
    return counted / TICKS_PER_SECOND;
  }

  private void read(boolean first) {
    List<Long> pids;
    try (Stream<ProcessHandle> descendants = ProcessHandle.current().descendants()) {
      pids = Stream.concat(Stream.of(ProcessHandle.current()), descendants).map(ProcessHandle::pid).toList();
    }
    for (long pid : pids) {
      compilerThreadTicks(pid).forEach(
          (tid, ticks) -> {
            Long last = lastTicks.put(tid, ticks);
            // A thread first seen after the first reading started after it: all of its time counts.
            long from = last != null ? last : first ? ticks : 0;
            counted += Math.max(0, ticks - from);
          });
    }
  }

  /** utime + stime of a process's compiler threads; 0 for a process that is gone or not a JVM. */
  static long compilerTicks(long pid) {
    return compilerThreadTicks(pid).values().stream().mapToLong(Long::longValue).sum();
  }

  /** utime + stime of each of a process's compiler threads, by thread id. */
  private static Map<Long, Long> compilerThreadTicks(long pid) {
    Map<Long, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads) {
        long threadTicks = compilerTicksOf(thread);
        if (threadTicks >= 0) {
          ticks.put(Long.parseLong(thread.getFileName().toString()), threadTicks);
        }
      }
    } catch (IOException | RuntimeException gone) {
      return ticks;
    }
    return ticks;
  }

  /** A compiler thread's utime + stime, or -1 for any other thread (or one that is gone). */
  private static long compilerTicksOf(Path thread) {
    try {
      String stat = Files.readString(thread.resolve("stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String name = stat.substring(open + 1, close);
      if (!(name.startsWith("C1") || name.startsWith("C2")) || !name.endsWith(COMPILER_THREAD)) {
        return -1;
      }
      // After the name: state is [0], utime is field 14 of the whole line, so [11]; stime [12].
      String[] fields = stat.substring(close + 2).trim().split("\\s+");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException gone) {
      return -1;
    }
  }
}
