package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuerySlotsTest {

  private static final long MS = 1_000_000L;
  private static final long TTL = 60_000 * MS;

  private final QuerySlots slots = new QuerySlots(Duration.ofMillis(1500), Duration.ofSeconds(5));

  @Test
  void aNodeGetsBackTheSlotItUsedLastSoItsConnectionIsReused() {
    assertEquals(0, slots.take("a1", "node-a", "job", 2, 0, TTL).slot());
    assertEquals(1, slots.take("b1", "node-b", "job", 2, 0, TTL).slot());
    slots.release("a1", false, 10 * MS);
    slots.release("b1", false, 10 * MS);
    assertEquals(1, slots.take("b2", "node-b", "job", 2, 11 * MS, TTL).slot());
    assertEquals(0, slots.take("a2", "node-a", "job", 2, 11 * MS, TTL).slot());
  }

  @Test
  void aSlotGoesToAnotherNodeOnlyAfterTheHandoverSoTheFirstHasClosedItsConnection() {
    assertEquals(0, slots.take("a1", "node-a", "job", 1, 0, TTL).slot());
    slots.release("a1", false, 100 * MS);
    assertEquals(-1, slots.take("b1", "node-b", "job", 1, 1_000 * MS, TTL).slot());
    assertEquals(600 * MS, slots.nanosUntilHandover("node-b", 1, 1_000 * MS));
    assertEquals(0, slots.take("b1", "node-b", "job", 1, 1_600 * MS, TTL).slot());
  }

  @Test
  void noMoreQueriesThanTheLimitAndASmallerLimitLeavesHigherSlotsAlone() {
    assertEquals(0, slots.take("1", "n", "job", 2, 0, TTL).slot());
    assertEquals(1, slots.take("2", "n", "job", 2, 0, TTL).slot());
    assertEquals(-1, slots.take("3", "n", "job", 2, 0, TTL).slot());
    assertEquals(2, slots.busy());
    slots.release("2", false, MS);
    // The budget shrank to one slot: slot 1 is free but no longer allowed.
    assertEquals(-1, slots.take("4", "n", "job", 1, 2 * MS, TTL).slot());
    slots.release("1", false, 3 * MS);
    assertEquals(0, slots.take("5", "n", "job", 1, 4 * MS, TTL).slot());
  }

  @Test
  void aNodeThatKeepsAskingGivesItsSlotUpAfterItsTenureWhenAnotherWaits() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 1, 0, TTL).slot());
    slots.release("a1", false, 10 * MS);
    // node-b asks and waits: node-a keeps the slot until its tenure (5 s) is over.
    assertEquals(-1, slots.take("b1", "node-b", "job-b", 1, 20 * MS, TTL).slot());
    QuerySlots.Taken withinTenure = slots.take("a2", "node-a", "job-a", 1, 4_000 * MS, TTL);
    assertEquals(new QuerySlots.Taken(0, false), withinTenure, "within its tenure node-a keeps its connection");
    slots.release("a2", false, 4_900 * MS);
    QuerySlots.Taken last = slots.take("a3", "node-a", "job-a", 1, 5_000 * MS, TTL);
    assertEquals(new QuerySlots.Taken(0, true), last, "node-a's last query on the slot, told to close after");
    assertEquals(-1, slots.take("b2", "node-b", "job-b", 1, 5_000 * MS, TTL).slot());
    // Released without closing its connection (an older node): the whole handover.
    slots.release("a3", false, 5_100 * MS);
    assertEquals(-1, slots.take("a4", "node-a", "job-a", 1, 5_200 * MS, TTL).slot(), "node-a's turn is over");
    assertEquals(-1, slots.take("b3", "node-b", "job-b", 1, 6_500 * MS, TTL).slot(), "before the handover");
    assertEquals(0, slots.take("b4", "node-b", "job-b", 1, 6_600 * MS, TTL).slot());
  }

  @Test
  void aSlotWhoseConnectionWasClosedGoesToTheWaitingNodeAlmostAtOnce() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 1, 0, TTL).slot());
    assertEquals(-1, slots.take("b1", "node-b", "job-b", 1, 20 * MS, TTL).slot());
    slots.release("a1", false, 4_990 * MS);
    assertEquals(new QuerySlots.Taken(0, true), slots.take("a2", "node-a", "job-a", 1, 5_000 * MS, TTL));
    slots.release("a2", true, 5_100 * MS);
    assertEquals(50 * MS, slots.nanosUntilHandover("node-b", 1, 5_150 * MS));
    assertEquals(-1, slots.take("b2", "node-b", "job-b", 1, 5_150 * MS, TTL).slot(), "the closed backend may linger a moment");
    // node-a asks again first, but the node that waited comes first: a new tenure for node-a
    // would leave node-b waiting another 5 s.
    assertEquals(-1, slots.take("a3", "node-a", "job-a", 1, 5_250 * MS, TTL).slot(), "node-b waited for it");
    assertEquals(new QuerySlots.Taken(0, false), slots.take("b3", "node-b", "job-b", 1, 5_250 * MS, TTL));
  }

  @Test
  void aNodeThatOnlyEverFindsTheSlotsBusyStillGetsATurn() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 1, 0, TTL).slot());
    // The governor refuses node-b before taking (every slot busy) and registers it as waiting.
    slots.wantTurn("node-b", 1);
    slots.release("a1", false, 5_000 * MS);
    assertEquals(new QuerySlots.Taken(0, true), slots.take("a2", "node-a", "job-a", 1, 5_000 * MS, TTL));
  }

  @Test
  void aNodeHoldingASlotDoesNotAskForAnother() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 2, 0, TTL).slot());
    assertEquals(1, slots.take("b1", "node-b", "job-b", 2, 0, TTL).slot());
    slots.wantTurn("node-b", 2);
    slots.release("a1", false, 6_000 * MS);
    assertEquals(new QuerySlots.Taken(0, false), slots.take("a2", "node-a", "job-a", 2, 6_000 * MS, TTL));
  }

  @Test
  void aWaiterThatGotAnotherSlotNoLongerEndsAnyonesTurn() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 2, 0, TTL).slot());
    assertEquals(1, slots.take("c1", "node-c", "job-c", 2, 0, TTL).slot());
    slots.release("c1", false, 100 * MS);
    // node-b waits for node-a's slot, then takes node-c's once it is handed over.
    assertEquals(-1, slots.take("b1", "node-b", "job-b", 2, 200 * MS, TTL).slot());
    assertEquals(1, slots.take("b2", "node-b", "job-b", 2, 1_600 * MS, TTL).slot());
    slots.release("a1", false, 6_000 * MS);
    assertEquals(new QuerySlots.Taken(0, false), slots.take("a2", "node-a", "job-a", 2, 6_000 * MS, TTL));
  }

  @Test
  void aWaiterIsToldToComeBackSoonWhileTheLastQueryOfATurnRuns() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 2, 0, TTL).slot());
    assertEquals(1, slots.take("a2", "node-a", "job-a", 2, 0, TTL).slot());
    slots.release("a2", false, 10 * MS);
    // Slot 1 is idle in its handover, slot 0 runs: slot 0's release comes first.
    assertEquals(0, slots.nanosUntilHandover("node-b", 2, 20 * MS));
    slots.release("a1", false, 30 * MS);
    assertEquals(1_470 * MS, slots.nanosUntilHandover("node-b", 2, 40 * MS), "slot 1, released first");
  }

  @Test
  void aNodeNobodyWaitsForIsNeverToldToClose() {
    for (int i = 0; i < 20; i++) {
      QuerySlots.Taken taken = slots.take("a" + i, "node-a", "job-a", 1, i * 1_000 * MS, TTL);
      assertEquals(new QuerySlots.Taken(0, false), taken);
      slots.release("a" + i, false, i * 1_000 * MS + 500 * MS);
    }
  }

  @Test
  void aRestartedGovernorHandsOutNoSlotBeforeOldConnectionsAreClosed() {
    QuerySlots restarted = new QuerySlots(Duration.ofMillis(1500), Duration.ofSeconds(5));
    restarted.assumeHeldElsewhere(2, 0);
    assertEquals(-1, restarted.take("x", "node-a", "job", 2, 1_000 * MS, TTL).slot());
    assertEquals(0, restarted.take("x", "node-a", "job", 2, 1_500 * MS, TTL).slot());
  }

  @Test
  void aLeaseNeverGivenBackExpiresAndItsSlotIsHandedOverLater() {
    assertEquals(0, slots.take("dead", "node-a", "job-1", 1, 0, 1_000 * MS).slot());
    assertTrue(slots.expire(999 * MS).isEmpty());
    var expired = slots.expire(1_000 * MS);
    assertEquals(1, expired.size());
    assertEquals("job-1", expired.get(0).jobId());
    assertEquals(-1, slots.release("dead", false, 1_001 * MS));
    assertEquals(-1, slots.take("b", "node-b", "job-2", 1, 1_100 * MS, TTL).slot());
    assertEquals(0, slots.take("b", "node-b", "job-2", 1, 2_500 * MS, TTL).slot());
  }
}
