package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The cluster's connections to the primary, as numbered slots. A node that is granted slot k runs
 * its query on its own connection for slot k and keeps that connection open after the query, so
 * a job reading page after page does not make the primary fork a backend per page. Only once a
 * slot has been released for {@code handover} (longer than a node keeps an idle connection open)
 * may it go to another node: the first node has closed its connection by then, so the primary
 * never holds more engine connections than there are slots.
 *
 * <p>A node that keeps asking would keep its slot for ever, so once another node waits for a slot
 * and the holder has had it for {@code tenure}, the slot drains: its holder gets it no more, and
 * it goes to the waiting node after the handover. Nodes take turns, a tenure at a time.
 *
 * <p>Not thread-safe; plain Java, owned by the governor, time given in nanoseconds.
 */
final class QuerySlots {

  private static final class Slot {
    String holder;
    String leaseId;
    String jobId;
    long expiresAtNanos;
    long releasedAtNanos;
    /** Since when the current holder has held this slot (across its many queries). */
    long heldSinceNanos;
    /** Another holder waiting for this slot, or null. */
    String wantedBy;
  }

  /** Who held slots before this governor started (another governor, on another node). */
  static final String UNKNOWN_HOLDER = "(a previous governor's holder)";

  /** A lease that its holder never gave back (its node died): the job it was for. */
  record Expired(int slot, String jobId) {}

  private final long handoverNanos;
  private final long tenureNanos;
  private final List<Slot> slots = new ArrayList<>();

  QuerySlots(Duration handover, Duration tenure) {
    this.handoverNanos = handover.toNanos();
    this.tenureNanos = tenure.toNanos();
  }

  /**
   * A governor that starts (or restarts on another node) cannot know which connections the
   * previous one had leased: it treats every slot as just released by someone else, so none is
   * granted before the handover, by which time idle connections of the old leases are closed.
   */
  void assumeHeldElsewhere(int limit, long nowNanos) {
    while (slots.size() < limit) {
      Slot slot = new Slot();
      slot.holder = UNKNOWN_HOLDER;
      slot.releasedAtNanos = nowNanos;
      slots.add(slot);
    }
  }

  /** Slots with a query running now. */
  int busy() {
    int busy = 0;
    for (Slot slot : slots) {
      if (slot.leaseId != null) {
        busy++;
      }
    }
    return busy;
  }

  /**
   * Takes a free slot below {@code limit} for {@code holder}, or returns -1. A slot this holder used
   * last comes first (its connection is still open), then one never used, then one released by
   * another holder at least {@code handover} ago.
   */
  int take(String leaseId, String holder, String jobId, int limit, long nowNanos, long ttlNanos) {
    Objects.requireNonNull(holder, "holder");
    while (slots.size() < limit) {
      slots.add(new Slot());
    }
    int chosen = -1;
    boolean reused = false;
    for (int i = 0; i < limit && chosen < 0; i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId == null && holder.equals(slot.holder) && !draining(slot, holder, nowNanos)) {
        chosen = i;
        reused = true;
      }
    }
    for (int i = 0; i < limit && chosen < 0; i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId == null && slot.holder == null) {
        chosen = i;
      }
    }
    for (int i = 0; i < limit && chosen < 0; i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId == null && nowNanos - slot.releasedAtNanos >= handoverNanos) {
        chosen = i;
      }
    }
    if (chosen >= 0) {
      Slot slot = slots.get(chosen);
      if (!reused) {
        // A new tenure: a new holder, or one that waited out the handover because the node that
        // wanted its slot did not come for it.
        slot.heldSinceNanos = nowNanos;
        slot.wantedBy = null;
      }
      slot.holder = holder;
      slot.leaseId = leaseId;
      slot.jobId = jobId;
      slot.expiresAtNanos = nowNanos + ttlNanos;
    } else {
      // Ask for a turn on the slot held longest by someone else.
      Slot longest = null;
      for (int i = 0; i < limit; i++) {
        Slot slot = slots.get(i);
        if (slot.holder != null && !holder.equals(slot.holder) && slot.wantedBy == null
            && (longest == null || slot.heldSinceNanos < longest.heldSinceNanos)) {
          longest = slot;
        }
      }
      if (longest != null) {
        longest.wantedBy = holder;
      }
    }
    return chosen;
  }

  /** Whether this slot must go to the node waiting for it rather than back to its holder. */
  private boolean draining(Slot slot, String holder, long nowNanos) {
    return slot.wantedBy != null && !slot.wantedBy.equals(holder) && nowNanos - slot.heldSinceNanos >= tenureNanos;
  }

  /**
   * Nanoseconds until a slot below {@code limit} that another holder released becomes free for
   * this one; 0 if one is free now, or a slot is busy (a release will come first).
   */
  long nanosUntilHandover(String holder, int limit, long nowNanos) {
    long soonest = Long.MAX_VALUE;
    for (int i = 0; i < Math.min(limit, slots.size()); i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId != null) {
        continue;
      }
      if (slot.holder == null || (slot.holder.equals(holder) && !draining(slot, holder, nowNanos))) {
        return 0;
      }
      soonest = Math.min(soonest, Math.max(0, slot.releasedAtNanos + handoverNanos - nowNanos));
    }
    return soonest == Long.MAX_VALUE ? 0 : soonest;
  }

  /** The query of this lease is done; returns the slot, or -1 for a lease that is not (or no longer) held. */
  int release(String leaseId, long nowNanos) {
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      if (leaseId.equals(slot.leaseId)) {
        slot.leaseId = null;
        slot.jobId = null;
        slot.releasedAtNanos = nowNanos;
        return i;
      }
    }
    return -1;
  }

  /**
   * Takes back leases held past their time to live. The holder is kept: if it is alive after all,
   * its connection may still be open, so the slot is handed to others only after {@code handover}.
   */
  List<Expired> expire(long nowNanos) {
    List<Expired> expired = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId != null && slot.expiresAtNanos <= nowNanos) {
        expired.add(new Expired(i, slot.jobId));
        slot.leaseId = null;
        slot.jobId = null;
        slot.releasedAtNanos = nowNanos;
      }
    }
    return expired;
  }
}
