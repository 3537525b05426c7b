package dev.backfill.bench.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The warm-up's rule on a fake compiler clock: at least the minimum, then until quiet, at most the maximum. */
class BackfillWarmupTest {

  private static final Duration SPAN = Duration.ofMillis(40);

  @Test
  void quietCompilersEndTheWarmupAfterTheMinimumAndOneSpan() throws InterruptedException {
    BackfillWarmup.Taken taken = BackfillWarmup.run(Duration.ofMillis(100), Duration.ofSeconds(30), SPAN, () -> 12.0);

    assertTrue(taken.quiet());
    assertEquals(0.0, taken.compilerShare());
    assertTrue(taken.duration().compareTo(Duration.ofMillis(140)) >= 0, taken.toString());
    assertTrue(taken.duration().compareTo(Duration.ofSeconds(30)) < 0, taken.toString());
  }

  @Test
  void compilersThatNeverGoQuietEndItAtTheMaximum() throws InterruptedException {
    BackfillWarmup.Taken taken = BackfillWarmup.run(Duration.ZERO, Duration.ofMillis(300), SPAN, oneCoreBusyFrom(System.nanoTime()));

    assertFalse(taken.quiet());
    assertTrue(taken.compilerShare() > BackfillWarmup.QUIET_SHARE, taken.toString());
    assertTrue(taken.duration().compareTo(Duration.ofMillis(300 - SPAN.toMillis())) >= 0, taken.toString());
    // At most the maximum, but for a timer that wakes late on a busy machine.
    assertTrue(taken.duration().compareTo(Duration.ofMillis(300 + 1_000)) <= 0, taken.toString());
  }

  @Test
  void theWarmupWaitsForCompilersBusyPastTheMinimum() throws InterruptedException {
    long start = System.nanoTime();
    long busyUntil = start + Duration.ofMillis(400).toNanos();
    DoubleSupplier busyThenQuiet = () -> Math.min(System.nanoTime(), busyUntil) / 1e9;

    BackfillWarmup.Taken taken = BackfillWarmup.run(Duration.ofMillis(100), Duration.ofSeconds(30), SPAN, busyThenQuiet);

    assertTrue(taken.quiet());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(400)) >= 0);
    assertTrue(taken.duration().compareTo(Duration.ofMillis(400)) >= 0, taken.toString());
  }

  /** Compiler seconds that grow with the clock: one core's worth of compiling, for ever. */
  private static DoubleSupplier oneCoreBusyFrom(long startNanos) {
    return () -> (System.nanoTime() - startNanos) / 1e9;
  }
}
