package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.call.CallEntity;
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
 * A call that cannot succeed for a reason of its own fails alone: it is recorded FAILED with its
 * reason in the ledger, and its job goes on and completes. A store that does not answer for a
 * while fails nothing.
 *
 * <p>Real primary, real Cassandra, real call entities, whose work is wrapped to make one call
 * break on its data and another meet a store timeout several times; one entity never receives its
 * requests, as when a message is lost on its way between nodes; and one call is larger than a
 * frame between nodes.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class CallsThatFailAloneTest {

  private static final int CALLS = 12;
  private static final int ATTEMPTS = 3;
  private static final long TOO_LARGE = 4;
  private static final long BREAKS = 5;
  private static final long NEVER_RECEIVED = 6;
  private static final long STORE_TIMES_OUT = 7;
  /** More than the attempts: a store's trouble is waited out however long it lasts. */
  private static final int STORE_TIMEOUTS = 2 * ATTEMPTS + 1;

  private static ActorTestKit testKit;
  private static CqlSession session;
  private static JobRuntime runtime;
  private static final AtomicInteger storeTimeouts = new AtomicInteger();

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.calls.ask-timeout", "1s",
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
        (jobId, call, processor, version, parameters, attempt) -> {
          if (call.id() == BREAKS) {
            throw new IllegalArgumentException("speaker 2 has no role: this call's data breaks the engine");
          }
          if (call.id() == STORE_TIMES_OUT && storeTimeouts.incrementAndGet() <= STORE_TIMEOUTS) {
            return CompletableFuture.failedFuture(new DriverTimeoutException("Query timed out after PT1S"));
          }
          return processing.process(jobId, call, processor, version, parameters, attempt);
        };
    ClusterSharding.get(testKit.system())
        .init(
            Entity.of(
                    CallEntity.ENTITY_TYPE_KEY,
                    context ->
                        Long.parseLong(context.getEntityId()) == NEVER_RECEIVED
                            ? losingEveryRequest(work)
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
  void eachCallThatCannotSucceedIsRecordedFailedWithItsReasonAndTheJobCompletes() throws Exception {
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
    assertEquals(3, finished.counts().failed(), "too large, breaks, never received");
    assertEquals(CALLS - 3, finished.counts().processed(), "the store's timeouts were waited out");

    Row tooLarge = ledger(jobId, TOO_LARGE);
    assertEquals("FAILED", tooLarge.getString("status"));
    assertTrue(tooLarge.getString("reason").contains("too large to send to its call entity"), () -> tooLarge.getString("reason"));
    assertTrue(tooLarge.getString("reason").contains("maximum-frame-size"), () -> tooLarge.getString("reason"));
    Row breaks = ledger(jobId, BREAKS);
    assertEquals("FAILED", breaks.getString("status"));
    assertTrue(breaks.getString("reason").contains("speaker 2 has no role"), () -> breaks.getString("reason"));
    assertTrue(breaks.getString("reason").contains(ATTEMPTS + " attempts in a row"), () -> breaks.getString("reason"));
    Row neverReceived = ledger(jobId, NEVER_RECEIVED);
    assertEquals("FAILED", neverReceived.getString("status"));
    assertTrue(
        neverReceived.getString("reason").contains("never reached its call entity"),
        () -> neverReceived.getString("reason"));
    assertEquals("DONE", ledger(jobId, STORE_TIMES_OUT).getString("status"));
    assertTrue(storeTimeouts.get() > STORE_TIMEOUTS, "the timing-out call was asked until it got through");

    // What retry-failed re-drives: the ledger holds exactly these as failed.
    assertEquals(
        List.of(TOO_LARGE, BREAKS, NEVER_RECEIVED),
        runtime.ledger().failedCalls(jobId, 0).toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertNull(
        session.execute("SELECT call_id FROM call_results WHERE call_id = ?", TOO_LARGE).one(),
        "the call too large to send was never processed");
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
   * An entity whose requests to process never arrive, as when each is lost on its way between
   * nodes: the real entity behind it answers every check, never having received one.
   */
  private static Behavior<CallEntity.Command> losingEveryRequest(CallEntity.Work work) {
    return Behaviors.<CallEntity.Command>setup(
        context -> {
          ActorRef<CallEntity.Command> entity = context.spawn(CallEntity.create(work, 16), "entity");
          return Behaviors.<CallEntity.Command>receiveMessage(
              message -> {
                if (!(message instanceof CallEntity.Process)) {
                  entity.tell(message);
                }
                return Behaviors.same();
              });
        });
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
