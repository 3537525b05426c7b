package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.testing.LocalActorConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A lease request that finds every query slot busy waits in the governor and gets the slot when
 * it frees, in the order the requests came, instead of being told to ask again in 20 ms (hundreds
 * of jobs asking 50 times a second each took the cluster's CPU). It is answered before its asker
 * gives up, and one its asker withdrew is never granted. The governor runs with real timers and
 * one slot; it has no probe, so its quiet moment (2 s here) ends before the first grant and the
 * next is 12 s away, and no lease here waits on the rate (a job per request, no query time spent).
 */
class GovernorLeaseQueueTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create("GovernorLeaseQueueTest", LocalActorConfig.with(""));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void requestsThatFindTheSlotBusyWaitForItAndGetItInTurn() {
    ActorRef<Governor.Command> governor = governorWithOneSlot("3s");
    awaitGranted(governor, "first");

    TestProbe<Governor.LeaseReply> second = ask(governor, "second");
    TestProbe<Governor.LeaseReply> third = ask(governor, "third");
    // Asked again every 20 ms before: a denial would come at once.
    second.expectNoMessage(Duration.ofMillis(300));
    assertEquals(2, view(governor).leasesWaiting(), "both wait; neither was answered");

    governor.tell(new Governor.ReleaseLease("first", 0, 0));
    assertGranted(second.receiveMessage(), "second");
    third.expectNoMessage(Duration.ofMillis(100));

    governor.tell(new Governor.ReleaseLease("second", 0, 0));
    assertGranted(third.receiveMessage(), "third");
    assertEquals(0, view(governor).leasesWaiting());
  }

  @Test
  void aRequestIsToldToAskAgainBeforeItsAskerGivesUp() {
    // Askers give up after 600 ms: a request waits at most a third of that, answered by the next tick.
    ActorRef<Governor.Command> governor = governorWithOneSlot("600ms");
    awaitGranted(governor, "holder");

    TestProbe<Governor.LeaseReply> waiting = ask(governor, "waiting");

    Governor.LeaseReply reply = waiting.receiveMessage(Duration.ofMillis(600));
    Governor.LeaseDenied denied = assertInstanceOf(Governor.LeaseDenied.class, reply);
    assertEquals(Duration.ZERO, denied.retryAfter(), "it waited already: it asks again at once");
    assertTrue(denied.reason().contains("stayed in use"), denied::toString);
    assertEquals(0, view(governor).leasesWaiting());
  }

  @Test
  void aRequestWithdrawnWhileWaitingIsNeverGranted() {
    ActorRef<Governor.Command> governor = governorWithOneSlot("3s");
    TestProbe<Governor.LeaseReply> gaveUp = waitingBehindAHolder(governor, "gave-up");

    // What GovernedPrimary sends when its ask timed out: the lease back, before it was granted.
    governor.tell(new Governor.ReleaseLease("gave-up", 0, 0));
    governor.tell(new Governor.ReleaseLease("holder", 0, 0));

    assertGranted(ask(governor, "next").receiveMessage(), "next");
    gaveUp.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void waitingRequestsAreToldToAskAgainWhenTheGovernorStops() {
    ActorRef<Governor.Command> governor = governorWithOneSlot("3s");
    TestProbe<Governor.LeaseReply> waiting = waitingBehindAHolder(governor, "waiting");

    // Its singleton moving to another node: the queue goes with it.
    testKit.stop(governor);

    Governor.LeaseDenied denied =
        assertInstanceOf(Governor.LeaseDenied.class, waiting.receiveMessage(Duration.ofMillis(500)));
    assertEquals(Duration.ZERO, denied.retryAfter(), "it asks the next governor at once");
    assertTrue(denied.reason().contains("stopping"), denied::toString);
  }

  private static ActorRef<Governor.Command> governorWithOneSlot(String askTimeout) {
    GovernorSettings settings =
        GovernorSettings.create(
            ConfigFactory.load(
                ConfigFactory.parseMap(
                        Map.of(
                            "backfill.governor.max-concurrent-queries", 1,
                            "backfill.governor.ask-timeout", askTimeout,
                            "backfill.governor.live-path.quiet-settle", "0ms",
                            "backfill.governor.live-path.quiet-probes", 5,
                            "backfill.governor.live-path.probe-interval", "10ms",
                            "backfill.governor.live-path.quiet-max", "2s"))
                    .withFallback(ConfigFactory.parseResources("application.conf"))));
    return testKit.spawn(Governor.create(settings, null));
  }

  /**
   * Lease "holder" granted, then a request {@code id} that finds the one slot taken and is not
   * answered: it waits in the governor's queue.
   */
  private static TestProbe<Governor.LeaseReply> waitingBehindAHolder(ActorRef<Governor.Command> governor, String id) {
    awaitGranted(governor, "holder");
    TestProbe<Governor.LeaseReply> waiting = ask(governor, id);
    waiting.expectNoMessage(Duration.ofMillis(100));
    return waiting;
  }

  /** Asks for a lease for job {@code id}, under lease id {@code id}, on node-a. */
  private static TestProbe<Governor.LeaseReply> ask(ActorRef<Governor.Command> governor, String id) {
    TestProbe<Governor.LeaseReply> replies = testKit.createTestProbe();
    governor.tell(new Governor.AcquireLease(id, 1, null, 10, "node-a", id, replies.getRef()));
    return replies;
  }

  /** Asks until the lease is granted: the governor first waits out its quiet moment and the slot's handover. */
  private static void awaitGranted(ActorRef<Governor.Command> governor, String id) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        () -> {
          Governor.LeaseReply reply = ask(governor, id).receiveMessage(Duration.ofSeconds(3));
          assertGranted(reply, id);
          return reply;
        });
  }

  private static void assertGranted(Governor.LeaseReply reply, String leaseId) {
    Governor.LeaseGranted granted = assertInstanceOf(Governor.LeaseGranted.class, reply, reply::toString);
    assertEquals(leaseId, granted.leaseId());
  }

  private static GovernorView view(ActorRef<Governor.Command> governor) {
    TestProbe<GovernorView> views = testKit.createTestProbe();
    governor.tell(new Governor.GetView(views.getRef()));
    return views.receiveMessage();
  }
}
