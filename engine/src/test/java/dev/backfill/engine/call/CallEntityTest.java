package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.CassandraOutcomeLedger;
import dev.backfill.engine.store.CassandraResultStore;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.store.ResultWriteCensus;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestCluster;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.CanonicalParameters;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The call entity against a real Cassandra, in a real (single-node) sharded cluster. */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class CallEntityTest {

  private static final String KEYWORDS = "keyword-tracker";

  private static ActorTestKit testKit;
  private static CqlSession session;
  private static CallProcessing processing;
  private static long nextCallId = 1;

  @BeforeAll
  static void start() {
    // The audit counts every result write, so "once" below is a count that could be 2.
    Config config =
        ConfigFactory.parseString("backfill.results.audit = on")
            .withFallback(RealStores.freshEnvironment("call_entity"));
    testKit = ActorTestKit.create("CallEntityTest", config);
    TestCluster.joinSelf(testKit.system());
    session = CassandraSessions.withKeyspace(EngineSettings.create(config).cassandra());
    processing =
        new CallProcessing(
            new CassandraResultStore(session, EngineSettings.create(config).results().audit()),
            new CassandraOutcomeLedger(session),
            ProcessorRegistry.load(),
            ForkJoinPool.commonPool(),
            new ObjectMapper());
    CallEntity.init(testKit.system(), processing, 16);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    session.close();
  }

  @Test
  void theSameCallTwiceWritesOneResultAndALaterJobSkipsIt() {
    CallRow call = TestTranscripts.simpleCall(nextCallId++);
    String firstJob = UUID.randomUUID().toString();
    String secondJob = UUID.randomUUID().toString();

    assertEquals(Status.DONE, process(firstJob, call, 1).status());
    // A retried ask from the same job gets the same answer, not "skipped".
    assertEquals(Status.DONE, process(firstJob, call, 2).status());
    CallOutcome later = process(secondJob, call, 1);
    assertEquals(Status.SKIPPED, later.status());

    List<Row> results =
        session
            .execute("SELECT result, job_id FROM call_results WHERE call_id = ?", call.id())
            .all();
    assertEquals(1, results.size(), "one result row for the call");
    assertEquals(
        new ResultWriteCensus.Counts(1, 1, 0, 0),
        ResultWriteCensus.countCall(session, call.id(), Computation.withoutParameters("talk-ratio", 1)),
        "the result written once, by one analysis, though asked three times");
    assertEquals(firstJob, results.get(0).getString("job_id"));
    assertTrue(
        results.get(0).getString("result").contains("\"rep_share\":0.6"),
        "talk ratio 6 s of 10 s: " + results.get(0).getString("result"));
    assertEquals("DONE", ledgerStatus(firstJob, call.id()));
    assertEquals("SKIPPED", ledgerStatus(secondJob, call.id()));
  }

  @Test
  void jobsWithOtherKeywordsEachKeepTheirOwnResultAndEqualKeywordsSpelledOtherwiseSkip() {
    CallRow call = TestTranscripts.simpleCall(nextCallId++);
    String greetings = UUID.randomUUID().toString();
    String goAhead = UUID.randomUUID().toString();
    String greetingsAgain = UUID.randomUUID().toString();

    assertEquals(Status.DONE, keywords(greetings, call, "hello, start").status());
    assertEquals(Status.DONE, keywords(goAhead, call, "go ahead").status());
    // The same keywords in another order, case and spacing: the same computation, found done.
    assertEquals(Status.SKIPPED, keywords(greetingsAgain, call, " Start,HELLO").status());

    Map<String, Row> byParameters = new HashMap<>();
    session
        .execute(
            "SELECT parameters_hash, parameters, result, job_id FROM call_results"
                + " WHERE call_id = ? AND processor = ? AND version = 1",
            call.id(),
            KEYWORDS)
        .forEach(row -> byParameters.put(row.getString("parameters"), row));
    assertEquals(
        Set.of("{\"keywords\":\"go ahead\"}", "{\"keywords\":\"hello,start\"}"),
        byParameters.keySet(),
        "one row per job's keywords, stored canonical");
    Row first = byParameters.get("{\"keywords\":\"hello,start\"}");
    assertEquals(greetings, first.getString("job_id"));
    assertEquals(
        json("{\"hello\":{\"rep\":1,\"customer\":0},\"start\":{\"rep\":1,\"customer\":0}}"),
        json(first.getString("result")));
    assertEquals(
        CanonicalParameters.hashOfText(first.getString("parameters")), first.getString("parameters_hash"));
    Row second = byParameters.get("{\"keywords\":\"go ahead\"}");
    assertEquals(goAhead, second.getString("job_id"));
    assertEquals(json("{\"go ahead\":{\"rep\":0,\"customer\":1}}"), json(second.getString("result")));
    assertEquals("SKIPPED", ledgerStatus(greetingsAgain, call.id()));
  }

  @Test
  void aMalformedTranscriptFailsThatCallWithAReasonAndWritesNoResult() {
    CallRow call = TestTranscripts.malformedCall(nextCallId++);
    String job = UUID.randomUUID().toString();

    CallOutcome outcome = process(job, call, 1);

    assertEquals(Status.FAILED, outcome.status());
    assertTrue(outcome.reason().contains("malformed"), outcome.reason());
    assertNull(session.execute("SELECT call_id FROM call_results WHERE call_id = ?", call.id()).one());
    assertEquals("FAILED", ledgerStatus(job, call.id()));
  }

  @Test
  void aCallRecordedFailedByItsEntityIsFailedInTheLedgerUnlessItsResultExists() {
    CallRow withResult = TestTranscripts.simpleCall(nextCallId++);
    CallRow without = TestTranscripts.simpleCall(nextCallId++);
    String first = UUID.randomUUID().toString();
    String second = UUID.randomUUID().toString();
    assertEquals(Status.DONE, process(first, withResult, 1).status());

    CallOutcome skipped = recordFailed(second, withResult.id(), "too large to send");
    CallOutcome failed = recordFailed(second, without.id(), "too large to send");

    assertEquals(Status.SKIPPED, skipped.status(), "a call with a result is never recorded failed");
    assertEquals("SKIPPED", ledgerStatus(second, withResult.id()));
    assertEquals(Status.FAILED, failed.status());
    assertEquals("too large to send", failed.reason());
    assertEquals("FAILED", ledgerStatus(second, without.id()));
    assertNull(session.execute("SELECT call_id FROM call_results WHERE call_id = ?", without.id()).one());
  }

  @Test
  void aJobAskingAgainAfterItsCallsEntityStoppedFindsTheCallDoneByItselfNotSkipped() {
    CallRow call = TestTranscripts.simpleCall(nextCallId++);
    String job = UUID.randomUUID().toString();
    assertEquals(Status.DONE, process(job, call, 1).status());

    // A new entity for the call, which has not seen the job's first ask: as after passivation.
    var fresh = testKit.spawn(CallEntity.create(processing, 16));
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    fresh.tell(new CallEntity.Process(job, call, "talk-ratio", 1, Map.of(), 2, probe.getRef()));
    CallOutcome again = probe.receiveMessage(Duration.ofSeconds(20)).outcome();
    assertEquals(Status.DONE, again.status());
    assertTrue(again.doneEarlier(), "found done, not done now: " + again);
    // And one more entity, which has not answered the job either, asked to record it failed.
    var another = testKit.spawn(CallEntity.create(processing, 16));
    another.tell(new CallEntity.RecordFailed(job, call.id(), "talk-ratio", 1, Map.of(), "gave up", 3, probe.getRef()));
    CallOutcome notFailed = probe.receiveMessage(Duration.ofSeconds(20)).outcome();
    assertEquals(Status.DONE, notFailed.status());
    assertTrue(notFailed.doneEarlier(), "found done, not done now: " + notFailed);

    assertEquals("DONE", ledgerStatus(job, call.id()), "not overwritten as skipped or failed");
    assertEquals(
        new ResultWriteCensus.Counts(1, 1, 0, 0),
        ResultWriteCensus.countCall(session, call.id(), Computation.withoutParameters("talk-ratio", 1)),
        "analysed and written once");
  }

  @Test
  void passivationInTheMiddleOfWorkStillAnswersBeforeStopping() {
    CallRow call = TestTranscripts.simpleCall(nextCallId++);
    var entity = testKit.spawn(CallEntity.create(processing, 16));
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();

    entity.tell(new CallEntity.Process("job", call, "talk-ratio", 1, Map.of(), 1, probe.getRef()));
    entity.tell(CallEntity.Passivate.INSTANCE);

    assertEquals(Status.DONE, probe.receiveMessage(Duration.ofSeconds(20)).outcome().status());
    probe.expectTerminated(entity, Duration.ofSeconds(5));
  }

  private CallOutcome process(String jobId, CallRow call, int attempt) {
    return process(jobId, call, "talk-ratio", Map.of(), attempt);
  }

  private CallOutcome keywords(String jobId, CallRow call, String keywords) {
    return process(jobId, call, KEYWORDS, Map.of("keywords", keywords), 1);
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private CallOutcome process(
      String jobId, CallRow call, String processor, Map<String, String> parameters, int attempt) {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system())
        .entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(call.id()))
        .tell(new CallEntity.Process(jobId, call, processor, 1, parameters, attempt, probe.getRef()));
    CallEntity.Answer reply = probe.receiveMessage(Duration.ofSeconds(20));
    assertNotNull(reply.outcome(), () -> "expected an outcome, got " + reply);
    return reply.outcome();
  }

  private CallOutcome recordFailed(String jobId, long callId, String reason) {
    TestProbe<CallEntity.Answer> probe = testKit.createTestProbe();
    ClusterSharding.get(testKit.system())
        .entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(callId))
        .tell(new CallEntity.RecordFailed(jobId, callId, "talk-ratio", 1, Map.of(), reason, 1, probe.getRef()));
    CallEntity.Answer reply = probe.receiveMessage(Duration.ofSeconds(20));
    assertNotNull(reply.outcome(), () -> "expected an outcome, got " + reply);
    return reply.outcome();
  }

  private static String ledgerStatus(String jobId, long callId) {
    Row row =
        session
            .execute(
                "SELECT status FROM ledger WHERE job_id = ? AND bucket = ? AND call_id = ?",
                jobId,
                OutcomeLedger.bucketOf(callId),
                callId)
            .one();
    return row == null ? null : row.getString("status");
  }
}
