package dev.backfill.bench.live;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Fixed arrival rate: request {@code i} is due at {@code start + i / rate}, whatever happened to
 * the requests before it. Latency is measured from that due time, so a stall that delays the
 * requests queued behind it shows up in every one of them (no coordinated omission).
 */
final class ArrivalSchedule {

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final long startNanos;
  private final int rate;
  private final long warmupSlots;
  private final long totalSlots;
  private final AtomicLong nextSlot = new AtomicLong();

  ArrivalSchedule(long startNanos, int rate, int warmupSeconds, int measuredSeconds) {
    this.startNanos = startNanos;
    this.rate = rate;
    this.warmupSlots = (long) rate * warmupSeconds;
    this.totalSlots = (long) rate * (warmupSeconds + measuredSeconds);
  }

  /** The next request's slot, or -1 once every slot of warm-up and window has been handed out. */
  long takeSlot() {
    long slot = nextSlot.getAndIncrement();
    return slot < totalSlots ? slot : -1;
  }

  long dueNanos(long slot) {
    return startNanos + slot * NANOS_PER_SECOND / rate;
  }

  boolean isMeasured(long slot) {
    return slot >= warmupSlots;
  }

  long windowStartNanos() {
    return dueNanos(warmupSlots);
  }

  long windowEndNanos() {
    return dueNanos(totalSlots);
  }

  /**
   * Hands out no more slots: returns the first slot that will now never run (every slot from it
   * to the end of the window is abandoned).
   */
  long abandonRemaining() {
    return Math.min(nextSlot.getAndSet(totalSlots), totalSlots);
  }

  long totalSlots() {
    return totalSlots;
  }

  long slotsHandedOut() {
    return Math.min(nextSlot.get(), totalSlots);
  }
}
