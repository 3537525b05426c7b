package dev.backfill.engine.governor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lease requests that found every query slot busy, kept by the governor until a slot frees instead
 * of being told to ask again in a few milliseconds. With hundreds of jobs and two slots, asking
 * again every 20 ms was tens of thousands of messages a second across the cluster (a burst of 270
 * jobs on three nodes: 1.1 million denials against 11,649 grants), and that traffic took the CPU
 * the API and the backfill needed. A freed slot now goes at once to the request that has waited
 * longest, so the order is first come, first served; the rate each job gets is still its fair
 * share, kept by its own bucket when its request is judged.
 *
 * <p>A request waits at most until its {@code answerBy}: the governor answers it before its asker
 * gives up (a lease granted to an asker that gave up would hold a slot until its time to live), and
 * the asker asks again at once. A request its asker withdraws (it stopped waiting and handed the
 * lease back before it was granted) is dropped. At most {@code capacity} wait; more are refused as
 * before, to ask again shortly.
 *
 * <p>Plain Java, owned by the governor; time in nanoseconds. Requests are kept in arrival order,
 * which is also the order of their deadlines: every request waits the same longest time.
 */
final class LeaseQueue {

  /** A request waiting for a slot under the lease id it will be granted with. */
  record Waiting(String leaseId, Governor.AcquireLease request, long answerByNanos) {}

  private final Map<String, Waiting> waiting = new LinkedHashMap<>();
  private final int capacity;

  LeaseQueue(int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Keeps the request until a slot frees or {@code answerByNanos}; false when full (or its lease id already waits). */
  boolean park(String leaseId, Governor.AcquireLease request, long answerByNanos) {
    if (waiting.size() >= capacity || waiting.containsKey(leaseId)) {
      return false;
    }
    waiting.put(leaseId, new Waiting(leaseId, request, answerByNanos));
    return true;
  }

  /** Drops the request waiting under this lease id; true if one did. */
  boolean remove(String leaseId) {
    return waiting.remove(leaseId) != null;
  }

  boolean isEmpty() {
    return waiting.isEmpty();
  }

  int size() {
    return waiting.size();
  }

  /** The waiting requests, longest waiting first; a copy, so the caller may remove while going through it. */
  List<Waiting> inOrder() {
    return new ArrayList<>(waiting.values());
  }
}
