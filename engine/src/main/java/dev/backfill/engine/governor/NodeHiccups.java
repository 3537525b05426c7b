package dev.backfill.engine.governor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Notices when this node itself stalls: a thread that sleeps five milliseconds at a time and records
 * every wake-up that comes late (a garbage collection or safepoint pause, the JIT compiling, the
 * node's core busy with calls). The governor times the live path's probe from this node, and a
 * probe that overlapped such a hiccup timed the node, not the primary: it is left out instead of
 * being read as the primary slowing down (the idea of jHiccup, kept to what the probe needs).
 *
 * <p>One thread, waking 200 times a second; the last {@link #KEPT} hiccups are
 * kept in a ring, written by that thread only and read by the governor.
 */
public final class NodeHiccups implements AutoCloseable {

  /** Often enough to catch a stall of a few milliseconds, rarely enough to cost about nothing. */
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final int KEPT = 256;

  private final long minHiccupNanos;
  private final long[] starts = new long[KEPT];
  private final long[] ends = new long[KEPT];
  /** Hiccups recorded so far; the ring holds the last {@link #KEPT}. */
  private volatile long recorded;
  private volatile boolean running = true;
  private final Thread thread;

  /** @param minHiccup how much later than due a wake-up must come to count as a hiccup */
  public NodeHiccups(java.time.Duration minHiccup) {
    this(minHiccup, true);
  }

  /** Without the sleeping thread: hiccups come only from {@link #record}, for tests. */
  static NodeHiccups recordedByHand() {
    return new NodeHiccups(java.time.Duration.ofMillis(2), false);
  }

  private NodeHiccups(java.time.Duration minHiccup, boolean watch) {
    this.minHiccupNanos = minHiccup.toNanos();
    this.thread = new Thread(this::run, "backfill-node-hiccups");
    thread.setDaemon(true);
    if (watch) {
      thread.start();
    } else {
      running = false;
    }
  }

  private void run() {
    while (running) {
      long before = System.nanoTime();
      LockSupport.parkNanos(TICK_NANOS);
      long after = System.nanoTime();
      if (after - before - TICK_NANOS >= minHiccupNanos) {
        record(before + TICK_NANOS, after);
      }
    }
  }

  /** One hiccup, from when the wake-up was due to when it came; called in time order. */
  void record(long fromNanos, long toNanos) {
    long slot = recorded;
    int index = (int) (slot % KEPT);
    starts[index] = fromNanos;
    ends[index] = toNanos;
    recorded = slot + 1;
  }

  /** Whether this node hiccupped at any moment between {@code fromNanos} and {@code toNanos}. */
  public boolean between(long fromNanos, long toNanos) {
    long count = recorded;
    for (long i = count - 1; i >= Math.max(0, count - KEPT); i--) {
      int index = (int) (i % KEPT);
      if (ends[index] >= fromNanos && starts[index] <= toNanos) {
        return true;
      }
      if (ends[index] < fromNanos) {
        return false;
      }
    }
    return false;
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
