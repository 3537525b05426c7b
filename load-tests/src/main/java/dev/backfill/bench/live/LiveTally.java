package dev.backfill.bench.live;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;

/** What the workers count, shared by all of them: latencies of measured requests, errors, progress. */
final class LiveTally {

  private static final int SIGNIFICANT_DIGITS = 3;
  private static final long MIN_HIGHEST_TRACKABLE_MICROS = TimeUnit.SECONDS.toMicros(60);
  /** Enough to diagnose a failing run without burying the progress lines. */
  private static final int MAX_PRINTED_ERRORS = 20;

  private final ConcurrentHistogram latencyMicros;
  private final LongAdder measuredErrors = new LongAdder();
  private final LongAdder finished = new LongAdder();
  private final AtomicInteger printedErrors = new AtomicInteger();

  /** @param longestPossibleMicros a request due first and finished at the hard stop: nothing is ever clamped */
  LiveTally(long longestPossibleMicros) {
    long highest = Math.max(MIN_HIGHEST_TRACKABLE_MICROS, longestPossibleMicros);
    latencyMicros = new ConcurrentHistogram(1, highest, SIGNIFICANT_DIGITS);
  }

  void recordLatency(long nanos) {
    long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(nanos));
    latencyMicros.recordValue(Math.min(micros, latencyMicros.getHighestTrackableValue()));
  }

  void recordFinished() {
    finished.increment();
  }

  void recordError(boolean measured, String message) {
    if (measured) {
      measuredErrors.increment();
    }
    int printed = printedErrors.incrementAndGet();
    if (printed <= MAX_PRINTED_ERRORS) {
      System.err.println("live-workload: error" + (measured ? "" : " (warm-up)") + ": " + message);
    } else if (printed == MAX_PRINTED_ERRORS + 1) {
      System.err.println("live-workload: further errors are counted, not printed");
    }
  }

  long finished() {
    return finished.sum();
  }

  long measuredErrors() {
    return measuredErrors.sum();
  }

  LiveResult result() {
    return new LiveResult(
        latencyMicros.getTotalCount(),
        measuredErrors.sum(),
        millis(latencyMicros.getValueAtPercentile(50)),
        millis(latencyMicros.getValueAtPercentile(99)),
        millis(latencyMicros.getValueAtPercentile(99.9)),
        millis(latencyMicros.getMaxValue()),
        latencyMicros.getMean() / 1000.0,
        0);
  }

  private static double millis(long micros) {
    return micros / 1000.0;
  }
}
