package dev.backfill.engine.governor;

import java.time.Duration;

/**
 * Paces one consumer to a rate that can change at any moment (the governor retunes it with every
 * decision), allowing bursts up to the capacity.
 *
 * <p>It lets a request go whenever the bucket is not in debt, whatever its size, and charges the
 * whole amount, possibly driving the balance negative; later requests then wait until the debt is
 * paid off. Requests larger than the capacity (a big page of rows) thus still go through, and the
 * average rate holds all the same.
 *
 * <p>Not thread-safe. Time is the caller's {@link System#nanoTime()}-style reading, always
 * compared by difference, so that the wrap-around of nano time does no harm.
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1_000_000_000.0;

  /** The slack of the engine's paced buckets: five ticks of Pekko's scheduler. */
  public static final Duration SCHEDULER_SLACK = Duration.ofMillis(50);

  private final double minCapacity;
  /** How much of its rate the bucket holds on top: see {@link #TokenBucket(double, double, Duration, long)}. */
  private final Duration slack;
  private double capacity;
  private double ratePerSecond;
  private double tokens;
  private long refilledAt;

  /** Starts full, so a newly started consumer need not wait for its first request. */
  public TokenBucket(double ratePerSecond, double capacity, long nowNanos) {
    this(ratePerSecond, capacity, Duration.ZERO, nowNanos);
  }

  /**
   * A bucket that holds {@code slack} worth of its current rate, and at least {@code minCapacity}.
   * A consumer told to wait is woken by a scheduler that runs late (Pekko's ticks every 10 ms): with
   * room for only one request, every wait was paid in full and then some, and a job whose pages
   * each ran into the query-time budget read one page per tick whatever the rate (13 ms per page
   * of 1-2 calls, 75 pages/s, in the demo of 2026-11-30). The slack keeps what a late wake-up
   * earned, so the average holds the rate; it allows a burst of at most {@code slack} of it.
   */
  public TokenBucket(double ratePerSecond, double minCapacity, Duration slack, long nowNanos) {
    requireRate(ratePerSecond);
    if (!(minCapacity > 0) || Double.isInfinite(minCapacity)) {
      throw new IllegalArgumentException("min capacity must be positive and finite, was " + minCapacity);
    }
    if (slack == null || slack.isNegative()) {
      throw new IllegalArgumentException("slack must not be negative, was " + slack);
    }
    this.minCapacity = minCapacity;
    this.slack = slack;
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacityAt(ratePerSecond);
    this.tokens = capacity;
    this.refilledAt = nowNanos;
  }

  private double capacityAt(double ratePerSecond) {
    return Math.max(minCapacity, Math.min(Double.MAX_VALUE, ratePerSecond * slack.toNanos() / NANOS_PER_SECOND));
  }

  /**
   * How long to wait before a request of {@code amount} may go: 0 unless the bucket is in debt,
   * otherwise the time until the debt is paid off at the current rate, or {@link Long#MAX_VALUE}
   * while the rate is 0. The amount does not change the answer (any size may go when there is no
   * debt) but is checked so that a bad request fails here rather than at {@link #take}.
   */
  public long nanosUntil(double amount, long nowNanos) {
    requireAmount(amount);
    refill(nowNanos);
    if (tokens >= 0) {
      return 0;
    }
    if (ratePerSecond == 0) {
      return Long.MAX_VALUE;
    }
    double nanos = Math.ceil(-tokens / ratePerSecond * NANOS_PER_SECOND);
    return nanos >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) nanos;
  }

  /** Charges a request that went; the balance may go negative. */
  public void take(double amount, long nowNanos) {
    requireAmount(amount);
    refill(nowNanos);
    // The debt stays finite however large the amounts: at -Infinity it could never be paid off,
    // and a refill of Infinity tokens (a huge rate over a long time) would turn it into NaN.
    tokens = Math.max(-Double.MAX_VALUE, tokens - amount);
  }

  /**
   * Changes the rate from now on. Time up to now is credited at the old rate first, so a change
   * neither forfeits tokens earned nor back-dates the new rate.
   */
  public void setRate(double ratePerSecond, long nowNanos) {
    requireRate(ratePerSecond);
    refill(nowNanos);
    this.ratePerSecond = ratePerSecond;
    // A lower rate holds less: tokens saved at the old rate must not make a burst at the new one.
    this.capacity = capacityAt(ratePerSecond);
    this.tokens = Math.min(tokens, capacity);
  }

  public double tokens(long nowNanos) {
    refill(nowNanos);
    return tokens;
  }

  /** Tokens per second. */
  public double rate() {
    return ratePerSecond;
  }

  public double capacity() {
    return capacity;
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - refilledAt;
    // A reading older than the last one (a caller passing a clock it read a while ago) earns
    // nothing, and must not move the refill point back, or the same time would be credited twice.
    if (elapsed <= 0) {
      return;
    }
    tokens = Math.min(capacity, tokens + ratePerSecond * elapsed / NANOS_PER_SECOND);
    refilledAt = nowNanos;
  }

  private static void requireRate(double ratePerSecond) {
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "rate_per_second must be finite and not negative, was " + ratePerSecond);
    }
  }

  private static void requireAmount(double amount) {
    if (!(amount >= 0) || Double.isInfinite(amount)) {
      throw new IllegalArgumentException(
          "amount must be finite and not negative, was " + amount);
    }
  }
}
