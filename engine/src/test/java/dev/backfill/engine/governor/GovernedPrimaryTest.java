package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.backfill.engine.testing.LocalActorConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A lease the governor grants after its asker stopped waiting (the governor was moving, or
 * paused) must not hold a query slot that nobody uses: the asker hands it back by the id it chose.
 * The governor is a test probe here, which answers when the test says.
 */
class GovernedPrimaryTest {

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("GovernedPrimaryTest", LocalActorConfig.with(""));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aLeaseThatMayBeGrantedAfterTheAskGaveUpIsHandedBackAndTheQueryRunsUnderANewOne() throws Exception {
    TestProbe<Governor.Command> governor = testKit.createTestProbe();
    var primary = new GovernedPrimary(governor.getRef(), testKit.system(), Duration.ofMillis(300));

    CompletableFuture<String> ran = pageOfTenRows(primary);

    var unanswered = governor.expectMessageClass(Governor.AcquireLease.class);
    // No answer within the ask's timeout: whatever the governor grants for it later is handed back.
    var handedBack = governor.expectMessageClass(Governor.ReleaseLease.class, Duration.ofSeconds(3));
    assertEquals(unanswered.leaseId(), handedBack.leaseId());
    assertEquals(0, handedBack.rows(), "a lease never used teaches the page sizer nothing");

    var again = governor.expectMessageClass(Governor.AcquireLease.class, Duration.ofSeconds(3));
    assertNotEquals(unanswered.leaseId(), again.leaseId(), "each ask has an id of its own");
    again.replyTo().tell(new Governor.LeaseGranted(again.leaseId(), 1, 10));

    assertEquals("ran on slot 1", ran.get(3, TimeUnit.SECONDS));
    var done = governor.expectMessageClass(Governor.ReleaseLease.class);
    assertEquals(again.leaseId(), done.leaseId());
    assertEquals(10, done.rows());
  }

  /**
   * A lease that says another node waits for its slot: once the query is done, this node closes
   * its connection for the slot and says so in the release, so the governor can hand the slot over
   * at once; other leases leave the connection open for the next page.
   */
  @Test
  void aLeaseWhoseSlotAnotherNodeWaitsForClosesItsConnectionAndSaysSo() throws Exception {
    TestProbe<Governor.Command> governor = testKit.createTestProbe();
    java.util.List<Integer> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
    var primary =
        new GovernedPrimary(
            governor.getRef(), testKit.system(), Duration.ofSeconds(3), slot -> closed.add(slot));

    for (boolean closeAfter : new boolean[] {false, true}) {
      CompletableFuture<String> ran = pageOfTenRows(primary);
      var ask = governor.expectMessageClass(Governor.AcquireLease.class);
      ask.replyTo().tell(new Governor.LeaseGranted(ask.leaseId(), 1, 10, closeAfter));
      assertEquals("ran on slot 1", ran.get(3, TimeUnit.SECONDS));
      var done = governor.expectMessageClass(Governor.ReleaseLease.class);
      assertEquals(closeAfter, done.connectionClosed());
      assertEquals(closeAfter ? java.util.List.of(1) : java.util.List.of(), closed);
    }
  }

  /** A query of ten rows for job-1 under a lease, answering which slot it ran on. */
  private static CompletableFuture<String> pageOfTenRows(GovernedPrimary primary) {
    return primary
        .underLease(
            () -> new GovernedPrimary.Claim("job-1", 1, null),
            10,
            (slot, rows) -> CompletableFuture.completedFuture("ran on slot " + slot),
            result -> new GovernedPrimary.Cost(10, 100),
            reason -> {},
            () -> false)
        .toCompletableFuture();
  }
}
