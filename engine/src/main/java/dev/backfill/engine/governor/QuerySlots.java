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
 * and the holder has had it for {@code tenure}, the slot drains: its holder gets it once more, as
 * its last query there, told to close its connection when that query is done; a release that says
 * the connection is closed hands the slot over after {@link #CLOSED_HANDOVER} instead of the whole
 * {@code handover}. Nodes take turns, a tenure at a time, and a slot no longer sits unused for
 * 1.5 s of every turn. (It did not make three nodes on one two-core machine faster: bench raw after
 * a 150 s warm-up read 980-1,113 calls/s in four runs with and without it, 2026-12-01; something
 * else bounds them there.)
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
    /** The holder was told to close its connection after its current query (its last here). */
    boolean closing;
    /** The last release said the holder's connection for this slot is closed. */
    boolean closedOnRelease;
  }

  /** A slot taken: its number, and whether its holder must close its connection afterwards. */
  record Taken(int slot, boolean closeAfter) {
    static final Taken NONE = new Taken(-1, false);
  }

  /**
   * How long after a release that says its connection is closed the slot may go to another node:
   * the backend of a closed connection exits within milliseconds, but not at once (a test that
   * counted backends saw one linger).
   */
  static final Duration CLOSED_HANDOVER = Duration.ofMillis(100);

  /** Who held slots before this governor started (another governor, on another node). */
  static final String UNKNOWN_HOLDER = "(a previous governor's holder)";

  /** A lease that its holder never gave back (its node died): the job it was for. */
  record Expired(int slot, String jobId) {}

  private final long handoverNanos;
  private final long tenureNanos;
  private final List<Slot> slots = new ArrayList<>();
  private long handovers;
  private long closedHandovers;

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

  /** Slots that went from one node to another (not counting a previous governor's). */
  long handovers() {
    return handovers;
  }

  /** Of those, the ones handed to the node that waited for them within 0.1 s of a closed connection's release. */
  long closedHandovers() {
    return closedHandovers;
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
   * Takes a free slot below {@code limit} for {@code holder}, or returns {@link Taken#NONE}. A slot
   * this holder used last comes first (its connection is still open; if the slot drains, as the
   * holder's last query there), then one never used, then one released by another holder at least
   * {@code handover} ago (or {@link #CLOSED_HANDOVER} after a release that closed its connection).
   */
  Taken take(String leaseId, String holder, String jobId, int limit, long nowNanos, long ttlNanos) {
    Objects.requireNonNull(holder, "holder");
    while (slots.size() < limit) {
      slots.add(new Slot());
    }
    int chosen = -1;
    boolean reused = false;
    for (int i = 0; i < limit && chosen < 0; i++) {
      Slot slot = slots.get(i);
      if (slot.leaseId == null && holder.equals(slot.holder) && !slot.closing) {
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
      if (slot.leaseId == null && nowNanos >= handedOverAt(slot, holder)) {
        chosen = i;
      }
    }
    if (chosen < 0) {
      wantTurn(holder, limit);
      return Taken.NONE;
    }
    Slot slot = slots.get(chosen);
    if (slot.holder != null && !slot.holder.equals(holder) && !slot.holder.equals(UNKNOWN_HOLDER)) {
      handovers++;
      if (slot.closedOnRelease && holder.equals(slot.wantedBy) && nowNanos - slot.releasedAtNanos < handoverNanos) {
        closedHandovers++;
      }
    }
    for (Slot other : slots) {
      if (other != slot && holder.equals(other.wantedBy)) {
        // It has a slot now: it waits for no other, whose holder need not end its turn for it.
        other.wantedBy = null;
      }
    }
    if (!reused) {
      // A new tenure: a new holder, or one that waited out the handover because the node that
      // wanted its slot did not come for it.
      slot.heldSinceNanos = nowNanos;
      slot.wantedBy = null;
      slot.closing = false;
      slot.closedOnRelease = false;
    } else if (draining(slot, holder, nowNanos)) {
      slot.closing = true;
    }
    slot.holder = holder;
    slot.leaseId = leaseId;
    slot.jobId = jobId;
    slot.expiresAtNanos = nowNanos + ttlNanos;
    return new Taken(chosen, slot.closing);
  }

  /**
   * {@code holder} waits for a slot: unless it holds one, it asks for a turn on the slot held
   * longest by someone else, unless one is asked for already. Also for a holder refused because
   * every slot is running a query: one that only ever found the slots busy would never get a turn.
   */
  void wantTurn(String holder, int limit) {
    for (int i = 0; i < Math.min(limit, slots.size()); i++) {
      if (holder.equals(slots.get(i).holder) && !slots.get(i).closing) {
        // It has a slot of its own: taking another's would only move a connection, not share.
        return;
      }
    }
    Slot longest = null;
    for (int i = 0; i < Math.min(limit, slots.size()); i++) {
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

  /**
   * When a free slot last held by someone else (or closed by this holder) may go to {@code holder}:
   * a handover after its release, or, to the node that waited for it, {@link #CLOSED_HANDOVER}
   * after a release that closed its connection. The waiting node comes first: its holder, asking
   * again at once, would otherwise take it back for a new tenure.
   */
  private long handedOverAt(Slot slot, String holder) {
    if (slot.closedOnRelease && holder.equals(slot.wantedBy)) {
      return slot.releasedAtNanos + Math.min(handoverNanos, CLOSED_HANDOVER.toNanos());
    }
    return slot.releasedAtNanos + handoverNanos;
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
      if (slot.leaseId != null || slot.holder == null || (slot.holder.equals(holder) && !slot.closing)) {
        // Busy: its release comes first, and may be the last query of a turn that ends in 0.1 s.
        return 0;
      }
      soonest = Math.min(soonest, Math.max(0, handedOverAt(slot, holder) - nowNanos));
    }
    return soonest == Long.MAX_VALUE ? 0 : soonest;
  }

  /**
   * The query of this lease is done; returns the slot, or -1 for a lease that is not (or no longer)
   * held. {@code connectionClosed}: its holder closed its connection for the slot (as told to when
   * the slot drains), so the slot may go to another node after {@link #CLOSED_HANDOVER}.
   */
  int release(String leaseId, boolean connectionClosed, long nowNanos) {
    for (int i = 0; i < slots.size(); i++) {
      Slot slot = slots.get(i);
      if (leaseId.equals(slot.leaseId)) {
        slot.leaseId = null;
        slot.jobId = null;
        slot.releasedAtNanos = nowNanos;
        slot.closedOnRelease = connectionClosed;
        if (connectionClosed) {
          // Its holder has no connection for it now: it takes the slot again only as a new tenure.
          slot.closing = true;
        }
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
        slot.closedOnRelease = false;
      }
    }
    return expired;
  }
}
