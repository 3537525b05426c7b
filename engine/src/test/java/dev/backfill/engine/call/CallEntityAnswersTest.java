package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.NoNodeAvailableException;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.testing.LocalActorConfig;
import dev.backfill.protocol.call.CallRow;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a call entity answers when its work does not end in an outcome, and to a check on a
 * request: what a job needs to tell a call's own trouble from the stores' or the cluster's.
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
  void aStoreThatDoesNotAnswerIsTheStoresTroubleAndAnExceptionFromProcessingIsTheCallsOwn() {
    CallEntity.Work work =
        (jobId, call, processor, version, parameters, attempt) ->
            switch (jobId) {
              case "timeout" -> CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT10S"));
              case "no-node" -> CompletableFuture.failedFuture(new NoNodeAvailableException());
              case "closing" -> CompletableFuture.failedFuture(new IllegalStateException("Session is closed"));
              case "bug" -> CompletableFuture.failedFuture(new IllegalArgumentException("speaker 3 has no role"));
              case "thrown" -> throw new NullPointerException("transcript is null");
              default -> CompletableFuture.completedFuture(CallOutcome.done(call.id()));
            };
    ActorRef<CallEntity.Command> entity = testKit.spawn(CallEntity.create(work, 4), CallEntity.mailbox());

    assertEquals(CallEntity.Setback.STORE_UNAVAILABLE, ask(entity, "timeout").setback());
    assertEquals(CallEntity.Setback.STORE_UNAVAILABLE, ask(entity, "no-node").setback());
    assertEquals(CallEntity.Setback.STORE_UNAVAILABLE, ask(entity, "closing").setback());
    CallEntity.Answer bug = ask(entity, "bug");
    assertEquals(CallEntity.Setback.CALL_FAILED, bug.setback());
    assertTrue(bug.reason().contains("speaker 3 has no role"), bug::toString);
    assertTrue(bug.setback().callsOwn());
    assertFalse(CallEntity.Setback.STORE_UNAVAILABLE.callsOwn());
    // Thrown on the entity's own thread: answered like any failure, and the entity lives on.
    CallEntity.Answer thrown = ask(entity, "thrown");
    assertEquals(CallEntity.Setback.CALL_FAILED, thrown.setback());
    assertTrue(thrown.reason().contains("transcript is null"), thrown::toString);
    assertEquals(Status.DONE, ask(entity, "fine").outcome().status());
  }

  @Test
  void aCheckTellsARequestNeverReceivedFromOneInProgressAndOneThatEnded() {
    CompletableFuture<CallOutcome> gate = new CompletableFuture<>();
    CallEntity.Work work =
        (jobId, call, processor, version, parameters, attempt) ->
            jobId.equals("slow") ? gate : CompletableFuture.completedFuture(CallOutcome.done(call.id()));
    ActorRef<CallEntity.Command> entity = testKit.spawn(CallEntity.create(work, 4), CallEntity.mailbox());
    TestProbe<CallEntity.Answer> slow = testKit.createTestProbe();
    TestProbe<CallEntity.Answer> behind = testKit.createTestProbe();

    assertEquals(CallEntity.Setback.NEVER_RECEIVED, checkOn(entity, "slow").setback());
    entity.tell(process("slow", slow.getRef()));
    entity.tell(process("behind", behind.getRef()));
    assertEquals(CallEntity.Setback.IN_PROGRESS, checkOn(entity, "slow").setback());
    assertEquals(CallEntity.Setback.IN_PROGRESS, checkOn(entity, "behind").setback());
    assertEquals(CallEntity.Setback.NEVER_RECEIVED, checkOn(entity, "elsewhere").setback());

    gate.complete(CallOutcome.done(CALL.id()));

    assertEquals(Status.DONE, slow.receiveMessage().outcome().status());
    assertEquals(Status.DONE, behind.receiveMessage().outcome().status());
    CallEntity.Answer ended = checkOn(entity, "slow");
    assertNull(ended.setback());
    assertEquals(Status.DONE, ended.outcome().status());
  }

  @Test
  void aCheckOnARequestThatFailedGivesItsSetbackNotANeverReceived() {
    CallEntity.Work work =
        (jobId, call, processor, version, parameters, attempt) ->
            CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT10S"));
    ActorRef<CallEntity.Command> entity = testKit.spawn(CallEntity.create(work, 4), CallEntity.mailbox());

    ask(entity, "outage");

    // The answer may have reached nobody (its ask had timed out): the check must not read as a
    // lost request, or a store outage would fail calls.
    assertEquals(CallEntity.Setback.STORE_UNAVAILABLE, checkOn(entity, "outage").setback());
  }

  private static CallEntity.Answer ask(ActorRef<CallEntity.Command> entity, String jobId) {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    entity.tell(process(jobId, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static CallEntity.Answer checkOn(ActorRef<CallEntity.Command> entity, String jobId) {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    entity.tell(new CallEntity.CheckOn(jobId, "talk-ratio", 1, probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(10));
  }

  private static CallEntity.Process process(String jobId, ActorRef<CallEntity.Answer> replyTo) {
    return new CallEntity.Process(jobId, CALL, "talk-ratio", 1, Map.of(), 1, replyTo);
  }
}
