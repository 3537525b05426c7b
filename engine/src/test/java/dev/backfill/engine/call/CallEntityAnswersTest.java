package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import com.datastax.oss.driver.api.core.connection.ClosedConnectionException;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.protocol.call.CallRow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a call entity answers: an outcome it has recorded, or no outcome while a store does not
 * answer (the job asks again); a failure of the call's own recorded FAILED by the entity at once;
 * a request asked again answered from memory; and a passivation that is never lost.
 */
@ExtendWith(LogCapturingExtension.class)
class CallEntityAnswersTest {

  private static final CallRow CALL = new CallRow(7, "acme", 0, 1, "phone", "{\"utterances\":[]}");

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("CallEntityAnswersTest", LocalActorConfig.with(""));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void onlyAnOutageOfTheStoresOrOfTheNodeIsTransient() {
    List<Throwable> outages =
        List.of(
            new DriverTimeoutException("Query timed out after PT10S"),
            new NoNodeAvailableException(),
            new ClosedConnectionException("Lost connection to remote peer"),
            new IllegalStateException("Session is closed"),
            new RejectedExecutionException("executor shut down"),
            new CompletionException(new DriverTimeoutException("wrapped")));
    List<Throwable> ownFailures =
        List.of(
            new InvalidQueryException(null, "Mutation of 17825792 bytes is too large for the maximum size of 16777216"),
            new IllegalStateException("speaker 3 has no role"),
            new IllegalArgumentException("speaker 3 has no role"),
            new CancellationException(),
            new CompletionException(new NullPointerException("transcript is null")));

    outages.forEach(failure -> assertTrue(CallProcessing.isStoreFailure(failure), failure::toString));
    ownFailures.forEach(failure -> assertFalse(CallProcessing.isStoreFailure(failure), failure::toString));
  }

  @Test
  void aStoreThatDoesNotAnswerGetsNoOutcomeAndIsAskedAgainWhileTheCallsOwnFailureIsRecordedAtOnce() {
    FakeWork work =
        new FakeWork(
            request ->
                switch (request.jobId()) {
                  case "timeout" -> CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT10S"));
                  case "closing" -> CompletableFuture.failedFuture(new IllegalStateException("Session is closed"));
                  case "refused" -> CompletableFuture.failedFuture(
                      new InvalidQueryException(null, "Mutation of 17825792 bytes is too large"));
                  case "bug" -> CompletableFuture.failedFuture(new IllegalArgumentException("speaker 3 has no role"));
                  case "thrown" -> throw new NullPointerException("transcript is null");
                  default -> CompletableFuture.completedFuture(CallOutcome.done(request.callId()));
                });
    ActorRef<CallEntity.Command> entity = spawn(work);

    for (String outage : List.of("timeout", "closing")) {
      CallEntity.Answer answer = ask(entity, outage);
      assertNull(answer.outcome(), answer::toString);
      assertNotNull(answer.reason(), answer::toString);
      // Not remembered: asked again, the entity works on it again.
      assertNull(ask(entity, outage).outcome());
      assertEquals(2, work.processed(outage), outage);
      assertEquals(0, work.recordedFailed(outage), outage);
    }
    for (String own : List.of("refused", "bug", "thrown")) {
      CallEntity.Answer answer = ask(entity, own);
      assertNotNull(answer.outcome(), answer::toString);
      assertEquals(Status.FAILED, answer.outcome().status(), own);
      assertEquals(1, work.processed(own), own);
      assertEquals(1, work.recordedFailed(own), "recorded by the entity, once: " + own);
    }
    assertTrue(work.reasonFor("refused").contains("too large"), work.reasonFor("refused"));
    assertTrue(work.reasonFor("bug").contains("speaker 3 has no role"), work.reasonFor("bug"));
    // Thrown on the entity's own thread: recorded like any failure, and the entity lives on.
    assertTrue(work.reasonFor("thrown").contains("transcript is null"), work.reasonFor("thrown"));
    assertEquals(Status.DONE, ask(entity, "fine").outcome().status());
  }

  @Test
  void aRequestAskedAgainIsAnsweredFromMemoryWhenDoneAndTakenAgainWhenFailed() {
    FakeWork work =
        new FakeWork(
            request ->
                CompletableFuture.completedFuture(
                    request.jobId().equals("malformed")
                        ? CallOutcome.failed(request.callId(), "malformed call: no role")
                        : CallOutcome.done(request.callId())));
    ActorRef<CallEntity.Command> entity = spawn(work);

    assertEquals(Status.DONE, ask(entity, "done").outcome().status());
    assertEquals(Status.DONE, ask(entity, "done").outcome().status());
    assertEquals(1, work.processed("done"), "the second ask answered from memory");

    assertEquals(Status.FAILED, ask(entity, "malformed").outcome().status());
    assertEquals(Status.FAILED, ask(entity, "malformed").outcome().status());
    assertEquals(2, work.processed("malformed"), "what retry-failed relies on: a failed call is taken again");
  }

  @Test
  void theSameJobAskingAgainWhileTheCallIsWorkedOnGetsTheSameAnswerWithoutASecondRun() {
    Working working = working("malformed");
    // The job's ask timed out, or a cluster member was lost: it asks again while the work runs.
    working.entity().tell(process("malformed", working.again().getRef()));
    working.first().expectNoMessage(Duration.ofMillis(200));
    working.gate().complete(CallOutcome.failed(CALL.id(), "malformed call: no role"));

    assertEquals(Status.FAILED, working.first().receiveMessage(Duration.ofSeconds(10)).outcome().status());
    assertEquals(Status.FAILED, working.again().receiveMessage(Duration.ofSeconds(10)).outcome().status());
    assertEquals(1, working.work().processed("malformed"), "analysed once for both asks");
  }

  @Test
  void aCallTooLargeToSendIsRecordedFailedByItsEntityWithoutBeingProcessed() {
    FakeWork work = new FakeWork(request -> CompletableFuture.completedFuture(CallOutcome.done(request.callId())));
    ActorRef<CallEntity.Command> entity = spawn(work);
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();

    entity.tell(
        new CallEntity.RecordFailed(
            "large", CALL.id(), "talk-ratio", 1, Map.of(), "call 7 is too large to send", 1, probe.getRef()));

    CallEntity.Answer answer = probe.receiveMessage(Duration.ofSeconds(10));
    assertEquals(Status.FAILED, answer.outcome().status());
    assertEquals("call 7 is too large to send", work.reasonFor("large"));
    assertEquals(0, work.processed("large"));
  }

  @Test
  void aFailureThatCannotBeRecordedYetGetsNoOutcomeAndIsRecordedWhenAskedAgain() {
    AtomicInteger recordings = new AtomicInteger();
    FakeWork work =
        new FakeWork(
            request -> CompletableFuture.failedFuture(new IllegalArgumentException("speaker 3 has no role")),
            (request, reason) ->
                recordings.incrementAndGet() == 1
                    ? CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT10S"))
                    : CompletableFuture.completedFuture(CallOutcome.failed(request.callId(), reason)));
    ActorRef<CallEntity.Command> entity = spawn(work);

    CallEntity.Answer first = ask(entity, "bug");
    assertNull(first.outcome(), first::toString);
    assertTrue(first.reason().contains("cannot be recorded yet"), first::toString);

    assertEquals(Status.FAILED, ask(entity, "bug").outcome().status());
    assertEquals(2, recordings.get());
  }

  @Test
  void anEntityAskedToStopWhileItWorksStopsOnceItsHeldRequestsAreAnsweredFromMemory() {
    Working working = working("slow");
    // Held while the entity works on the first: the same job, another request (the same request
    // again would share the answer in hand instead of being held).
    working
        .entity()
        .tell(
            new CallEntity.RecordFailed(
                "slow", CALL.id(), "talk-ratio", 1, Map.of(), "asked to record a failure", 1, working.again().getRef()));
    working.entity().tell(CallEntity.Passivate.INSTANCE);
    working.gate().complete(CallOutcome.done(CALL.id()));

    assertEquals(Status.DONE, working.first().receiveMessage(Duration.ofSeconds(10)).outcome().status());
    assertEquals(Status.DONE, working.again().receiveMessage(Duration.ofSeconds(10)).outcome().status());
    assertEquals(1, working.work().processed("slow"), "the held request answered from memory");
    assertEquals(0, working.work().recordedFailed("slow"), "the held request answered from memory");
    // Idle once the held request is answered: it must stop, or sharding holds the call's messages
    // for it forever.
    working.first().expectTerminated(working.entity(), Duration.ofSeconds(10));
  }

  @Test
  void anIdleEntityAskedToStopStopsAtOnce() {
    FakeWork work = new FakeWork(request -> CompletableFuture.completedFuture(CallOutcome.done(request.callId())));
    ActorRef<CallEntity.Command> entity = spawn(work);
    assertEquals(Status.DONE, ask(entity, "done").outcome().status());

    entity.tell(CallEntity.Passivate.INSTANCE);

    testKit.createTestProbe().expectTerminated(entity, Duration.ofSeconds(10));
  }

  private static ActorRef<CallEntity.Command> spawn(CallEntity.Work work) {
    return testKit.spawn(CallEntity.create(work, 4), CallEntity.mailbox());
  }

  /** An entity whose work on job {@code jobId}'s request, asked by {@code first}, waits for {@code gate}. */
  private record Working(
      FakeWork work,
      CompletableFuture<CallOutcome> gate,
      ActorRef<CallEntity.Command> entity,
      TestProbe<CallEntity.Answer> first,
      TestProbe<CallEntity.Answer> again) {}

  private static Working working(String jobId) {
    CompletableFuture<CallOutcome> gate = new CompletableFuture<>();
    FakeWork work = new FakeWork(request -> gate);
    ActorRef<CallEntity.Command> entity = spawn(work);
    TestProbe<CallEntity.Answer> first = testKit.createTestProbe();
    entity.tell(process(jobId, first.getRef()));
    return new Working(work, gate, entity, first, testKit.createTestProbe());
  }

  private static CallEntity.Answer ask(ActorRef<CallEntity.Command> entity, String jobId) {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    entity.tell(process(jobId, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static CallEntity.Process process(String jobId, ActorRef<CallEntity.Answer> replyTo) {
    return new CallEntity.Process(jobId, CALL, "talk-ratio", 1, Map.of(), 1, replyTo);
  }

  /** Work given as functions, counting what the entity asks of it per job. */
  private static final class FakeWork implements CallEntity.Work {

    interface Processing {
      CompletionStage<CallOutcome> process(CallEntity.Process request);
    }

    interface Recording {
      CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason);
    }

    private final Processing processing;
    private final Recording recording;
    private final Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> recordedFailed = new ConcurrentHashMap<>();
    private final Map<String, String> reasons = new ConcurrentHashMap<>();

    FakeWork(Processing processing) {
      this(processing, (request, reason) -> CompletableFuture.completedFuture(CallOutcome.failed(request.callId(), reason)));
    }

    FakeWork(Processing processing, Recording recording) {
      this.processing = processing;
      this.recording = recording;
    }

    @Override
    public CompletionStage<CallOutcome> process(CallEntity.Process request) {
      processed.computeIfAbsent(request.jobId(), job -> new AtomicInteger()).incrementAndGet();
      return processing.process(request);
    }

    @Override
    public CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason) {
      recordedFailed.computeIfAbsent(request.jobId(), job -> new AtomicInteger()).incrementAndGet();
      reasons.put(request.jobId(), reason);
      return recording.recordFailed(request, reason);
    }

    int processed(String jobId) {
      AtomicInteger count = processed.get(jobId);
      return count == null ? 0 : count.get();
    }

    int recordedFailed(String jobId) {
      AtomicInteger count = recordedFailed.get(jobId);
      return count == null ? 0 : count.get();
    }

    String reasonFor(String jobId) {
      return reasons.getOrDefault(jobId, "");
    }
  }
}
