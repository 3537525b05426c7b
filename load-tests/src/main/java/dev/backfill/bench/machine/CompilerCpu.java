package dev.backfill.bench.machine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
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

  private CompilerCpu() {}

  /** CPU seconds the compilers of this JVM and the processes under it used so far (those alive now). */
  public static double secondsSoFar() {
    long ticks;
    try (Stream<ProcessHandle> descendants = ProcessHandle.current().descendants()) {
      ticks =
          Stream.concat(Stream.of(ProcessHandle.current()), descendants)
              .mapToLong(process -> compilerTicks(process.pid()))
              .sum();
    }
    return ticks / TICKS_PER_SECOND;
  }

  /** utime + stime of a process's compiler threads; 0 for a process that is gone or not a JVM. */
  static long compilerTicks(long pid) {
    long ticks = 0;
    try (DirectoryStream<Path> threads = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads) {
        ticks += compilerTicksOf(thread);
      }
    } catch (IOException | RuntimeException gone) {
      return ticks;
    }
    return ticks;
  }

  private static long compilerTicksOf(Path thread) {
    try {
      String stat = Files.readString(thread.resolve("stat"));
      int open = stat.indexOf('(');
      int close = stat.lastIndexOf(')');
      String name = stat.substring(open + 1, close);
      if (!(name.startsWith("C1") || name.startsWith("C2")) || !name.endsWith(COMPILER_THREAD)) {
        return 0;
      }
      // After the name: state is [0], utime is field 14 of the whole line, so [11]; stime [12].
      String[] fields = stat.substring(close + 2).trim().split("\\s+");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    } catch (IOException | RuntimeException gone) {
      return 0;
    }
  }
}
