package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.servererrors.InvalidQueryException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.call.CallProcessing;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.governor.PrimaryHealthProbe;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.source.PrimaryConnections;
import dev.backfill.engine.store.CassandraOutcomeLedger;
import dev.backfill.engine.store.CassandraResultStore;
import dev.backfill.engine.testing.PrimaryRows;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestCluster;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A call that cannot succeed for a reason of its own fails alone, at once: its entity records it
 * FAILED with its reason in the ledger, and its job goes on and completes. A store that does not
 * answer for a while, or requests lost on their way to the entity, fail nothing, however many
 * attempts they take.
 *
 * <p>Real primary, real Cassandra, real call entities, whose work is wrapped to make one call
 * break on its data, one refused by the store (a result too large for a mutation) and another meet
 * a store timeout several times; one entity loses its first requests, as a full mailbox or a node
 * leaving does; and one call is larger than a frame between nodes.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class CallsThatFailAloneTest {

  private static final int CALLS = 12;
  private static final int ATTEMPTS = 2;
  private static final long TOO_LARGE = 4;
  private static final long BREAKS = 5;
  private static final long REFUSED = 6;
  private static final long STORE_TIMES_OUT = 7;
  private static final long LOSES_REQUESTS = 8;
  /** More than the attempts: a store's trouble is waited out however long it lasts. */
  private static final int STORE_TIMEOUTS = 2 * ATTEMPTS + 1;
  /** More than the attempts: an ask that is not answered is sent again, never counted against the call. */
  private static final int LOST_REQUESTS = ATTEMPTS + 1;

  private static ActorTestKit testKit;
  private static CqlSession session;
  private static JobRuntime runtime;
  private static final AtomicInteger storeTimeouts = new AtomicInteger();
  private static final AtomicInteger breaksProcessed = new AtomicInteger();
  private static final AtomicInteger requestsToTheLosingEntity = new AtomicInteger();

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    // Long enough that an answered call is never asked twice on a slow machine.
                    "backfill.calls.ask-timeout", "3s",
                    "backfill.calls.attempts", ATTEMPTS,
                    "backfill.calls.min-backoff", "50ms",
                    "backfill.calls.max-backoff", "200ms"))
            .withFallback(RealStores.freshEnvironment("calls_that_fail_alone"));
    testKit =
        ActorTestKit.create("CallsThatFailAloneTest", EventSourcedBehaviorTestKit.config().withFallback(config));
    TestCluster.joinSelf(testKit.system());
    EngineSettings settings = EngineSettings.create(config);
    session = CassandraSessions.withKeyspace(settings.cassandra());
    GovernorSettings governorSettings = GovernorSettings.create(config);
    var governor =
        testKit.spawn(
            Governor.create(
                governorSettings,
                new PrimaryHealthProbe(
                    settings.primary(),
                    governorSettings.probeQuery(),
                    governorSettings.probeRoundTrips(),
                    governorSettings.probeTimeout())));
    runtime =
        new JobRuntime(
            settings,
            new PrimaryCallSource(
                settings.primary(),
                ForkJoinPool.commonPool(),
                new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout())),
            new GovernedPrimary(governor, testKit.system(), governorSettings.askTimeout()),
            new CassandraOutcomeLedger(session));

    CallProcessing processing =
        new CallProcessing(
            new CassandraResultStore(session, settings.results().audit()),
            new CassandraOutcomeLedger(session),
            ProcessorRegistry.load(),
            ForkJoinPool.commonPool(),
            new ObjectMapper());
    CallEntity.Work work =
        new CallEntity.Work() {
          @Override
          public CompletionStage<CallOutcome> process(CallEntity.Process request) {
            long id = request.callId();
            if (id == BREAKS) {
              breaksProcessed.incrementAndGet();
              throw new IllegalArgumentException("speaker 2 has no role: this call's data breaks the engine");
            }
            if (id == REFUSED) {
              return CompletableFuture.failedFuture(
                  new InvalidQueryException(
                      null, "Mutation of 17825792 bytes is too large for the maximum size of 16777216"));
            }
            if (id == STORE_TIMES_OUT && storeTimeouts.incrementAndGet() <= STORE_TIMEOUTS) {
              return CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT1S"));
            }
            return processing.process(request);
          }

          @Override
          public CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason) {
            return processing.recordFailed(request, reason);
          }
        };
    ClusterSharding.get(testKit.system())
        .init(
            Entity.of(
                    CallEntity.ENTITY_TYPE_KEY,
                    context ->
                        Long.parseLong(context.getEntityId()) == LOSES_REQUESTS
                            ? losingTheFirstRequests(work)
                            : CallEntity.create(work, 16))
                .withEntityProps(CallEntity.mailbox()));

    List<CallRow> calls =
        LongStream.rangeClosed(1, CALLS)
            .mapToObj(id -> id == TOO_LARGE ? tooLargeCall(id) : TestTranscripts.simpleCall(id))
            .toList();
    PrimaryRows.insert(settings.primary().url(), calls);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    session.close();
  }

  @Test
  void eachCallThatCannotSucceedIsRecordedFailedAtOnceWithItsReasonAndTheJobCompletes() throws Exception {
    awaitCallEntities();
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var kit =
        EventSourcedBehaviorTestKit.<JobSupervisor.Command, JobEvent, JobState>create(
            testKit.system(), JobSupervisor.create(jobId, shard.getRef(), runtime));

    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(
        replyTo -> new JobSupervisor.Submit(new JobSpec("talk-ratio", 1, null, null, null, Map.of()), null, replyTo));

    TestProbe<Object> waiter = testKit.createTestProbe();
    JobState.Finished finished =
        waiter.awaitAssert(
            Duration.ofSeconds(90),
            Duration.ofMillis(200),
            () -> assertInstanceOf(JobState.Finished.class, kit.getState()));
    assertEquals(JobPhase.COMPLETED, finished.phase());
    assertEquals(CALLS, finished.counts().scanned());
    assertEquals(3, finished.counts().failed(), "too large, breaks, refused");
    // A real driver timeout after a write may leave the result written: asked again, the call is
    // found done by this job. Another job's result would make it skipped, so both are allowed.
    assertEquals(
        CALLS - 3,
        finished.counts().processed() + finished.counts().skipped(),
        "the store's timeouts and the lost requests were waited out");

    Row tooLarge = ledger(jobId, TOO_LARGE);
    assertEquals("FAILED", tooLarge.getString("status"));
    assertTrue(tooLarge.getString("reason").contains("too large to send to its call entity"), () -> tooLarge.getString("reason"));
    assertTrue(tooLarge.getString("reason").contains("maximum-frame-size"), () -> tooLarge.getString("reason"));
    Row breaks = ledger(jobId, BREAKS);
    assertEquals("FAILED", breaks.getString("status"));
    assertTrue(breaks.getString("reason").contains("speaker 2 has no role"), () -> breaks.getString("reason"));
    assertEquals(1, breaksProcessed.get(), "a failure of the call's own is not retried");
    Row refused = ledger(jobId, REFUSED);
    assertEquals("FAILED", refused.getString("status"));
    assertTrue(
        refused.getString("reason").contains("too large for the maximum size"), () -> refused.getString("reason"));
    assertDoneOrSkipped(ledger(jobId, STORE_TIMES_OUT));
    assertTrue(storeTimeouts.get() > STORE_TIMEOUTS, "the timing-out call was asked until it got through");
    assertDoneOrSkipped(ledger(jobId, LOSES_REQUESTS));
    assertTrue(
        requestsToTheLosingEntity.get() > LOST_REQUESTS, "the call whose requests were lost was asked until one arrived");

    // What retry-failed re-drives: the ledger holds exactly these as failed.
    assertEquals(
        List.of(TOO_LARGE, BREAKS, REFUSED),
        runtime.ledger().failedCalls(jobId, 0).toCompletableFuture().get(20, TimeUnit.SECONDS));
    for (long failed : List.of(TOO_LARGE, BREAKS, REFUSED)) {
      assertNull(
          session.execute("SELECT call_id FROM call_results WHERE call_id = ?", failed).one(),
          "no result beside the failed call " + failed);
    }
  }

  /** A transcript of about 300 KB: more than Artery's default frame of 256 KiB. */
  private static CallRow tooLargeCall(long id) {
    String words = "so what would the budget look like for the second quarter ".repeat(5_000);
    String transcript =
        "{\"utterances\":[{\"speaker\":\"ann\",\"role\":\"rep\",\"start_ms\":0,\"end_ms\":6000,\"text\":\""
            + words
            + "\"},{\"speaker\":\"bob\",\"role\":\"customer\",\"start_ms\":6500,\"end_ms\":10500,\"text\":\"Yes.\"}]}";
    return new CallRow(id, "acme", 1_700_000_000_000L, 11, "phone", transcript);
  }

  /**
   * An entity whose first {@link #LOST_REQUESTS} requests never arrive, as when each is dropped by
   * a full mailbox or sent to an incarnation that is gone: the real entity behind it gets the rest.
   */
  private static Behavior<CallEntity.Command> losingTheFirstRequests(CallEntity.Work work) {
    return Behaviors.<CallEntity.Command>setup(
        context -> {
          ActorRef<CallEntity.Command> entity = context.spawn(CallEntity.create(work, 16), "entity");
          return Behaviors.<CallEntity.Command>receiveMessage(
              message -> {
                if (!(message instanceof CallEntity.Request)
                    || requestsToTheLosingEntity.incrementAndGet() > LOST_REQUESTS) {
                  entity.tell(message);
                }
                return Behaviors.same();
              });
        });
  }

  /**
   * Waits until sharding delivers to call entities (its coordinator starts after the member is
   * Up): a first ask that times out while the job's first asks wait for it would be sent again,
   * and the breaking call processed twice.
   */
  private static void awaitCallEntities() {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    long outsideTheJob = 1_000;
    ClusterSharding.get(testKit.system())
        .entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(outsideTheJob))
        .tell(
            new CallEntity.Process(
                "warm-up", TestTranscripts.simpleCall(outsideTheJob), "talk-ratio", 1, Map.of(), 1, probe.getRef()));
    assertNotNull(probe.receiveMessage(Duration.ofSeconds(60)).outcome());
  }

  private static void assertDoneOrSkipped(Row row) {
    assertTrue(
        List.of("DONE", "SKIPPED").contains(row.getString("status")),
        () -> row.getString("status") + ": " + row.getString("reason"));
  }

  private static Row ledger(String jobId, long callId) {
    Row row =
        session
            .execute(
                "SELECT status, reason FROM ledger WHERE job_id = ? AND bucket = 0 AND call_id = ?",
                jobId,
                callId)
            .one();
    assertNotNull(row, "call " + callId + " is in the job's ledger");
    return row;
  }
}
