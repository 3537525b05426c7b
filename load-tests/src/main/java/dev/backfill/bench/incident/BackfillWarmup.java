package dev.backfill.bench.incident;

import dev.backfill.bench.machine.CompilerCpu;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * How long a backfill runs before the live client starts: at least a minimum (the governor's slow
 * start, Cassandra's first flushes), then until the JIT compilers of every JVM of the run are
 * quiet, at most a maximum. On two shared cores the compilers of a node and of Cassandra used half
 * a core between them about 50 s into a backfill, and the live path waited behind them more than
 * behind anything else (`perf sched`, 2026-12-01); that tapers off over minutes, and a backfill
 * runs for hours. A run whose compilers never went quiet says so, and its window shows their share.
 */
final class BackfillWarmup {

  /** What the compilers' share of a core is judged over. */
  static final Duration QUIET_SPAN = Duration.ofSeconds(10);

  /** Below this share of one core, summed over every JVM, the compilers are quiet. */
  static final double QUIET_SHARE = 0.05;

  /** How long the warm-up took, and the compilers' share of a core over its last span. */
  record Taken(Duration duration, double compilerShare, boolean quiet) {}

  private BackfillWarmup() {}

  static Taken run(Duration minimum, Duration maximum, CompilerCpu compilers) throws InterruptedException {
    return run(minimum, maximum, QUIET_SPAN, compilers::secondsSinceStart);
  }

  /**
   * {@code compilerSeconds}: CPU seconds the compilers used since some start (from /proc outside tests),
   * judged over {@code span} at a time.
   */
  static Taken run(Duration minimum, Duration maximum, Duration span, DoubleSupplier compilerSeconds)
      throws InterruptedException {
    long start = System.nanoTime();
    Thread.sleep(minimum.toMillis());
    double share = Double.NaN;
    while (true) {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      if (Double.isFinite(share) && share < QUIET_SHARE) {
        return new Taken(elapsed, share, true);
      }
      if (elapsed.plus(span).compareTo(maximum) > 0) {
        return new Taken(elapsed, share, false);
      }
      double before = compilerSeconds.getAsDouble();
      long spanStart = System.nanoTime();
      Thread.sleep(span.toMillis());
      share = (compilerSeconds.getAsDouble() - before) / ((System.nanoTime() - spanStart) / 1e9);
    }
  }
}
