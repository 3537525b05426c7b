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
    assertEquals(0, slots.take("a1", "node-a", "job", 2, 0, TTL));
    assertEquals(1, slots.take("b1", "node-b", "job", 2, 0, TTL));
    slots.release("a1", 10 * MS);
    slots.release("b1", 10 * MS);
    assertEquals(1, slots.take("b2", "node-b", "job", 2, 11 * MS, TTL));
    assertEquals(0, slots.take("a2", "node-a", "job", 2, 11 * MS, TTL));
  }

  @Test
  void aSlotGoesToAnotherNodeOnlyAfterTheHandoverSoTheFirstHasClosedItsConnection() {
    assertEquals(0, slots.take("a1", "node-a", "job", 1, 0, TTL));
    slots.release("a1", 100 * MS);
    assertEquals(-1, slots.take("b1", "node-b", "job", 1, 1_000 * MS, TTL));
    assertEquals(600 * MS, slots.nanosUntilHandover("node-b", 1, 1_000 * MS));
    assertEquals(0, slots.take("b1", "node-b", "job", 1, 1_600 * MS, TTL));
  }

  @Test
  void noMoreQueriesThanTheLimitAndASmallerLimitLeavesHigherSlotsAlone() {
    assertEquals(0, slots.take("1", "n", "job", 2, 0, TTL));
    assertEquals(1, slots.take("2", "n", "job", 2, 0, TTL));
    assertEquals(-1, slots.take("3", "n", "job", 2, 0, TTL));
    assertEquals(2, slots.busy());
    slots.release("2", MS);
    // The budget shrank to one slot: slot 1 is free but no longer allowed.
    assertEquals(-1, slots.take("4", "n", "job", 1, 2 * MS, TTL));
    slots.release("1", 3 * MS);
    assertEquals(0, slots.take("5", "n", "job", 1, 4 * MS, TTL));
  }

  @Test
  void aNodeThatKeepsAskingGivesItsSlotUpAfterItsTenureWhenAnotherWaits() {
    assertEquals(0, slots.take("a1", "node-a", "job-a", 1, 0, TTL));
    slots.release("a1", 10 * MS);
    // node-b asks and waits: node-a keeps the slot until its tenure (5 s) is over.
    assertEquals(-1, slots.take("b1", "node-b", "job-b", 1, 20 * MS, TTL));
    assertEquals(0, slots.take("a2", "node-a", "job-a", 1, 4_000 * MS, TTL));
    slots.release("a2", 4_900 * MS);
    assertEquals(-1, slots.take("a3", "node-a", "job-a", 1, 5_000 * MS, TTL), "the slot drains for node-b");
    assertEquals(-1, slots.take("b2", "node-b", "job-b", 1, 5_000 * MS, TTL), "after the handover");
    assertEquals(0, slots.take("b3", "node-b", "job-b", 1, 6_400 * MS, TTL));
  }

  @Test
  void aRestartedGovernorHandsOutNoSlotBeforeOldConnectionsAreClosed() {
    QuerySlots restarted = new QuerySlots(Duration.ofMillis(1500), Duration.ofSeconds(5));
    restarted.assumeHeldElsewhere(2, 0);
    assertEquals(-1, restarted.take("x", "node-a", "job", 2, 1_000 * MS, TTL));
    assertEquals(0, restarted.take("x", "node-a", "job", 2, 1_500 * MS, TTL));
  }

  @Test
  void aLeaseNeverGivenBackExpiresAndItsSlotIsHandedOverLater() {
    assertEquals(0, slots.take("dead", "node-a", "job-1", 1, 0, 1_000 * MS));
    assertTrue(slots.expire(999 * MS).isEmpty());
    var expired = slots.expire(1_000 * MS);
    assertEquals(1, expired.size());
    assertEquals("job-1", expired.get(0).jobId());
    assertEquals(-1, slots.release("dead", 1_001 * MS));
    assertEquals(-1, slots.take("b", "node-b", "job-2", 1, 1_100 * MS, TTL));
    assertEquals(0, slots.take("b", "node-b", "job-2", 1, 2_500 * MS, TTL));
  }
}
