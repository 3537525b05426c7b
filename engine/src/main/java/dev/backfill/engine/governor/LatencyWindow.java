package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.OptionalDouble;

/**
 * The live probe's latencies over the last few seconds, so that the governor judges a percentile
 * and not one sample: damage to the live path comes in bursts (a page query holding the primary's
 * core), which a single probe a second almost never lands in.
 *
 * <p>Not thread-safe: the governor owns it. Time is given by the caller (nanoseconds from any
 * monotonic origin), so tests drive it with a fake clock.
 */
public final class LatencyWindow {

  private record Probe(long atNanos, double millis) {}

  private final long keepNanos;
  private final ArrayDeque<Probe> probes = new ArrayDeque<>();

  /** @param keep how far back the longest question asked of this window reaches */
  public LatencyWindow(Duration keep) {
    this.keepNanos = keep.toNanos();
  }

  public void add(long atNanos, double millis) {
    probes.addLast(new Probe(atNanos, millis));
    while (!probes.isEmpty() && probes.peekFirst().atNanos() < atNanos - keepNanos) {
      probes.removeFirst();
    }
  }

  /** Probes taken within {@code span} before {@code nowNanos}. */
  public int count(long nowNanos, Duration span) {
    return values(nowNanos, span).length;
  }

  /**
   * The {@code percentile} (0-100, nearest rank) of the probes within {@code span} before
   * {@code nowNanos}; empty when there are fewer than {@code minProbes} of them, because a
   * percentile of three probes says nothing.
   */
  public OptionalDouble percentile(long nowNanos, Duration span, double percentile, int minProbes) {
    double[] values = values(nowNanos, span);
    if (values.length == 0 || values.length < minProbes) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(nearestRank(values, percentile));
  }

  /**
   * The {@code percentile} (0-100) of {@code values} by nearest rank; sorts them in place. Public so
   * that an outside observer (the incident benchmark) reads its probes exactly as the governor does.
   */
  public static double nearestRank(double[] values, double percentile) {
    Arrays.sort(values);
    int rank = (int) Math.ceil(percentile / 100.0 * values.length);
    return values[Math.max(0, Math.min(values.length - 1, rank - 1))];
  }

  /**
   * The mean of how far each probe within {@code span} before {@code nowNanos} lasted past {@code
   * floorMs}, each counted up to {@code capMs} (a probe faster than the floor counts as 0); empty
   * with fewer than {@code minProbes}. Every slow probe counts in it, where a high percentile picks
   * one of a few; the cap keeps one long stall from weighing as much as many short waits.
   */
  public OptionalDouble meanPast(long nowNanos, Duration span, double floorMs, double capMs, int minProbes) {
    double[] values = values(nowNanos, span);
    if (values.length == 0 || values.length < minProbes) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(meanPast(values, floorMs, capMs));
  }

  /**
   * The same over any probes (the incident benchmark's observer reads its window with it): how far
   * each lasted past {@code floorMs}, counted up to {@code capMs}, on average; NaN for none.
   */
  public static double meanPast(double[] millis, double floorMs, double capMs) {
    if (millis.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double value : millis) {
      sum += Math.min(capMs, Math.max(0, value - floorMs));
    }
    return sum / millis.length;
  }

  public void clear() {
    probes.clear();
  }

  private double[] values(long nowNanos, Duration span) {
    long from = nowNanos - span.toNanos();
    double[] values = new double[probes.size()];
    int n = 0;
    for (Iterator<Probe> it = probes.descendingIterator(); it.hasNext(); ) {
      Probe probe = it.next();
      if (probe.atNanos() < from) {
        break;
      }
      values[n++] = probe.millis();
    }
    return Arrays.copyOf(values, n);
  }
}
