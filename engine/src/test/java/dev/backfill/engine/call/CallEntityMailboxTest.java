package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.protocol.call.CallRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The end of a call entity's work gets into its mailbox even when requests have filled it.
 *
 * <p>Each test runs the entity on a dispatcher of one thread and holds that thread with another
 * actor while it sends requests and ends the entity's work: the entity cannot take anything from
 * its mailbox meanwhile, so the requests fill it exactly when the end of the work arrives.
 */
@ExtendWith(LogCapturingExtension.class)
class CallEntityMailboxTest {

  private static final int CAPACITY = 4;
  private static final String ONE_THREAD = "call-entity-mailbox-test.one-thread";
  private static final CallRow CALL = new CallRow(1, "acme", 0, 1, "phone", "{\"utterances\":[]}");

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit =
        ActorTestKit.create(
            "CallEntityMailboxTest",
            LocalActorConfig.with(
                """
                backfill.calls.mailbox-capacity = %d
                %s {
                  type = Dispatcher
                  executor = "thread-pool-executor"
                  thread-pool-executor.fixed-pool-size = 1
                  throughput = 1
                }
                """
                    .formatted(CAPACITY, ONE_THREAD)));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void theEndOfItsWorkReachesTheEntityThoughRequestsFillItsMailbox() {
    GatedWork work = new GatedWork(testKit.createTestProbe());
    ActorRef<CallEntity.Command> entity =
        testKit.spawn(
            CallEntity.create(work, CAPACITY),
            "entity-with-its-own-mailbox",
            CallEntity.mailbox().withDispatcherFromConfig(ONE_THREAD));
    TestProbe<CallEntity.Answer> first = testKit.createTestProbe();
    TestProbe<CallEntity.Answer> queued = testKit.createTestProbe();
    TestProbe<DeadLetter> deadLetters = testKit.createDeadLetterProbe();

    fillWhileWorking(entity, work, first, queued, CAPACITY + 2);

    CallEntity.Answer answer = first.receiveMessage(Duration.ofSeconds(10));
    assertNotNull(answer.outcome(), answer::toString);
    assertEquals(Status.DONE, answer.outcome().status());
    List<CallEntity.Answer> queuedAnswers = queued.receiveSeveralMessages(CAPACITY, Duration.ofSeconds(10));
    queuedAnswers.forEach(each -> assertEquals(Status.DONE, each.outcome().status(), each::toString));
    // The bound holds for requests: the two beyond the capacity went to dead letters, nothing else.
    List<String> dropped =
        deadLetters.receiveSeveralMessages(2, Duration.ofSeconds(10)).stream()
            .map(letter -> assertInstanceOf(CallEntity.Process.class, letter.message()).jobId())
            .toList();
    assertEquals(List.of("queued-" + CAPACITY, "queued-" + (CAPACITY + 1)), dropped);
    deadLetters.expectNoMessage(Duration.ofMillis(300));
    queued.expectNoMessage(Duration.ofMillis(100));

    TestProbe<CallEntity.Answer> later = testKit.createTestProbe();
    entity.tell(process("later", later.getRef()));
    assertEquals(Status.DONE, later.receiveMessage(Duration.ofSeconds(10)).outcome().status());
    // Asked again, the first job's request is answered from the entity's memory.
    entity.tell(process("first", later.getRef()));
    assertEquals(Status.DONE, later.receiveMessage(Duration.ofSeconds(10)).outcome().status());
    assertEquals(1, work.firstStarted(), "the first job's call processed once");
  }

  /**
   * What the entity's own mailbox prevents, seen with the mailbox it had before (Pekko's bounded
   * one): the same steps lose the end of the work, and the entity believes it is working forever.
   */
  @Test
  void inAMailboxThatDropsAnythingTheSameStepsLeaveTheEntityWorkingForever() {
    GatedWork work = new GatedWork(testKit.createTestProbe());
    ActorRef<CallEntity.Command> entity =
        testKit.spawn(
            CallEntity.create(work, CAPACITY),
            "entity-with-a-dropping-mailbox",
            MailboxSelector.bounded(CAPACITY).withDispatcherFromConfig(ONE_THREAD));
    TestProbe<CallEntity.Answer> first = testKit.createTestProbe();
    TestProbe<CallEntity.Answer> queued = testKit.createTestProbe();
    TestProbe<DeadLetter> deadLetters = testKit.createDeadLetterProbe();

    fillWhileWorking(entity, work, first, queued, CAPACITY);

    // Not a request: the message that ends the entity's work.
    DeadLetter lost = deadLetters.receiveMessage(Duration.ofSeconds(10));
    assertFalse(lost.message() instanceof CallEntity.Request, lost::toString);
    TestProbe<CallEntity.Answer> later = testKit.createTestProbe();
    // Polled: a request sent while the mailbox is still full is dropped too. The entity still
    // believes it works on the first request, holds the queued ones, and has no room for more.
    CallEntity.Answer refused =
        later.awaitAssert(
            Duration.ofSeconds(10),
            Duration.ofMillis(50),
            () -> {
              entity.tell(process("later", later.getRef()));
              return later.receiveMessage(Duration.ofMillis(500));
            });
    assertNull(refused.outcome(), refused::toString);
    assertTrue(refused.reason().contains("holds " + CAPACITY + " requests"), refused::toString);
    first.expectNoMessage(Duration.ofMillis(300));
    queued.expectNoMessage(Duration.ofMillis(100));
  }

  /**
   * Starts the work of job "first", holds the entity's only thread, sends {@code requests} more
   * requests, ends the work (pipeToSelf's message is sent to the entity at once, on this thread),
   * and lets the entity go.
   */
  private static void fillWhileWorking(
      ActorRef<CallEntity.Command> entity,
      GatedWork work,
      TestProbe<CallEntity.Answer> first,
      TestProbe<CallEntity.Answer> queued,
      int requests) {
    entity.tell(process("first", first.getRef()));
    work.started().expectMessage(Duration.ofSeconds(10), "first");

    CountDownLatch release = new CountDownLatch(1);
    TestProbe<String> holding = testKit.createTestProbe();
    ActorRef<Hold> holder = testKit.spawn(holder(), DispatcherSelector.fromConfig(ONE_THREAD));
    holder.tell(new Hold(release, holding.getRef()));
    holding.expectMessage(Duration.ofSeconds(10), "holding");
    try {
      for (int i = 0; i < requests; i++) {
        entity.tell(process("queued-" + i, queued.getRef()));
      }
      work.gate().complete(CallOutcome.done(CALL.id()));
    } finally {
      release.countDown();
    }
  }

  private static CallEntity.Process process(String jobId, ActorRef<CallEntity.Answer> replyTo) {
    return new CallEntity.Process(jobId, CALL, "talk-ratio", 1, Map.of(), 1, replyTo);
  }

  /** Job "first" waits for the gate (and says it started); any other job is done at once. */
  private record GatedWork(TestProbe<String> started, CompletableFuture<CallOutcome> gate, AtomicInteger firsts)
      implements CallEntity.Work {

    GatedWork(TestProbe<String> started) {
      this(started, new CompletableFuture<>(), new AtomicInteger());
    }

    @Override
    public CompletionStage<CallOutcome> process(CallEntity.Process request) {
      if (request.jobId().equals("first")) {
        firsts.incrementAndGet();
        started.getRef().tell(request.jobId());
        return gate;
      }
      return CompletableFuture.completedFuture(CallOutcome.done(request.callId()));
    }

    @Override
    public CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason) {
      return CompletableFuture.completedFuture(CallOutcome.failed(request.callId(), reason));
    }

    int firstStarted() {
      return firsts.get();
    }
  }

  private record Hold(CountDownLatch release, ActorRef<String> holding) {}

  /** Holds the thread it runs on until released (at most 30 s, should the test fail first). */
  private static Behavior<Hold> holder() {
    return Behaviors.receiveMessage(
        hold -> {
          hold.holding().tell("holding");
          hold.release().await(30, TimeUnit.SECONDS);
          return Behaviors.same();
        });
  }
}
