package dev.backfill.engine.governor;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The latencies of the last quiet probes, however far apart the quiet moments that took them
 * were: a baseline's tail read from one moment's 30 probes is their slowest, which one stall of
 * the machine's decides. Pooled, it is as steady as the tail it is compared with.
 *
 * <p>Not thread-safe: the live path's monitor owns it.
 */
final class QuietProbePool {

  private final double[] latest;
  private int next;
  private int size;

  /** @param capacity how many of the latest quiet probes it keeps */
  QuietProbePool(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a pool holds at least one probe, was " + capacity);
    }
    this.latest = new double[capacity];
  }

  void add(double millis) {
    latest[next] = millis;
    next = (next + 1) % latest.length;
    size = Math.min(size + 1, latest.length);
  }

  void clear() {
    next = 0;
    size = 0;
  }

  int size() {
    return size;
  }

  /**
   * The {@code percentile} (0-100, nearest rank, as {@link LatencyWindow#percentile}) of the
   * probes kept; empty with fewer than {@code minProbes}.
   */
  OptionalDouble percentile(double percentile, int minProbes) {
    if (size == 0 || size < minProbes) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(LatencyWindow.nearestRank(Arrays.copyOf(latest, size), percentile));
  }
}
