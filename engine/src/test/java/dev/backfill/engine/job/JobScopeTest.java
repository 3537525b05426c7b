package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallProcessing;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.job.JobEvent.JobScoped;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobEvent.JobSubmitted;
import dev.backfill.engine.job.JobEvent.ProgressRecorded;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A job over a live table ends where the table ended when its scope was fixed: calls recorded
 * while it runs are not its calls, its total is exactly the calls it covers, and it reaches 100%.
 *
 * <p>A stand-in governor plays the live recording path: before granting each page query's lease
 * it records a new call of the job's tenant, so that every page query sees a table that grew since
 * the job started (a job without an end would never see an empty page, and never end). The
 * primary and Cassandra are real; the journal is Pekko's in-memory test journal. Each test has its
 * own tenant and id range, so the order of the tests does not matter.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobScopeTest {

  private static final int CALLS = 30;
  private static final Instant LONG_AGO = Instant.parse("2026-01-01T00:00:00Z");

  private static ActorTestKit testKit;
  private static CqlSession session;
  private static EngineSettings settings;
  private static GovernorSettings governorSettings;
  private static PrimaryConnections connections;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    // Small pages and checkpoints, so that 30 calls take several of each.
    Config config =
        ConfigFactory.parseMap(
                Map.of("backfill.primary.page-size", 10, "backfill.jobs.checkpoint-every-calls", 7))
            .withFallback(RealStores.freshEnvironment("job_scope"));
    testKit = ActorTestKit.create("JobScopeTest", EventSourcedBehaviorTestKit.config().withFallback(config));
    TestCluster.joinSelf(testKit.system());
    journal = PersistenceTestKit.create(testKit.system());
    settings = EngineSettings.create(config);
    governorSettings = GovernorSettings.create(config);
    session = CassandraSessions.withKeyspace(settings.cassandra());
    connections = new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout());
    CallEntity.init(
        testKit.system(),
        new CallProcessing(
            new CassandraResultStore(session, settings.results().audit()),
            new CassandraOutcomeLedger(session),
            ProcessorRegistry.load(),
            ForkJoinPool.commonPool(),
            new ObjectMapper()),
        16);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    connections.close();
    session.close();
  }

  @Test
  void aJobOverATableThatKeepsGrowingEndsAtTheLastCallWhenItStarted() {
    insertCalls("live", 1);
    AtomicLong recorded = new AtomicLong();
    JobRuntime runtime = runtimeRecordingNewCalls("live", 1_000_001, recorded);
    String jobId = UUID.randomUUID().toString();

    JobStatus done = awaitFinished(submitted(jobId, "live", runtime));

    assertEquals(JobPhase.COMPLETED, done.phase(), done::toString);
    assertEquals(CALLS, done.totalCalls(), done::toString);
    assertEquals(CALLS, done.counts().processed(), done::toString);
    assertEquals(CALLS, done.counts().scanned(), done::toString);
    assertEquals(CALLS, done.counts().finished(), done::toString);
    assertEquals(100.0, 100.0 * done.counts().finished() / done.totalCalls(), done::toString);
    assertTrue(recorded.get() > 0, "calls were recorded while the job ran");
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    JobStarted started =
        events.stream().filter(JobStarted.class::isInstance).map(JobStarted.class::cast).findFirst().orElseThrow();
    assertEquals(Long.valueOf(CALLS), started.lastCallId(), events::toString);
    assertEquals(CALLS, started.totalCalls(), events::toString);
    assertEquals(CALLS, lastWatermark(events), events::toString);
  }

  @Test
  void aJobStartedBeforeJobsHadAScopeGetsOneOnItsNextStartAndEnds() {
    insertCalls("legacy", 101);
    String jobId = UUID.randomUUID().toString();
    JobSpec spec = new JobSpec("talk-ratio", 1, "legacy", null, null, Map.of());
    // As a node before scopes journaled it: an open-ended start (what its JobStarted reads as,
    // see JobEventCompatibilityTest), and the first ten calls checkpointed.
    journal.persistForRecovery(
        persistenceId(jobId),
        List.of(
            new JobSubmitted(spec, null, LONG_AGO),
            new JobStarted(CALLS, null, LONG_AGO),
            new ProgressRecorded(110, 10, 10, 0, 0, LONG_AGO)));
    AtomicLong recorded = new AtomicLong();
    JobRuntime runtime = runtimeRecordingNewCalls("legacy", 2_000_001, recorded);

    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    JobStatus done = awaitFinished(supervisor);

    assertEquals(JobPhase.COMPLETED, done.phase(), done::toString);
    assertEquals(CALLS, done.totalCalls(), done::toString);
    assertEquals(CALLS, done.counts().processed(), done::toString);
    assertEquals(LONG_AGO, done.startedAt(), "fixing the scope does not restart the job");
    assertTrue(recorded.get() > 0, "calls were recorded while the job ran");
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    JobScoped scoped =
        events.stream().filter(JobScoped.class::isInstance).map(JobScoped.class::cast).findFirst().orElseThrow();
    assertEquals(100 + CALLS, scoped.lastCallId(), events::toString);
    assertEquals(CALLS, scoped.totalCalls(), events::toString);
    assertEquals(100 + CALLS, lastWatermark(events), events::toString);
  }

  @Test
  void aJobOverIdsFarApartReadsOnlyTheBlocksThatHoldItsCalls() {
    long[] ids = {3_000_500, 3_400_000, 3_999_999};
    PrimaryRows.insert(settings.primary().url(), LongStream.of(ids).mapToObj(id -> callOf("sparse", id)).toList());
    JobRuntime runtime = runtimeRecordingNewCalls("sparse", 4_000_001, new AtomicLong());

    JobStatus done = awaitFinished(submitted(UUID.randomUUID().toString(), "sparse", runtime));

    assertEquals(JobPhase.COMPLETED, done.phase(), done::toString);
    assertEquals(ids.length, done.totalCalls(), done::toString);
    assertEquals(ids.length, done.counts().processed(), done::toString);
    // The count; then per block that holds a call, the lookup that found it and its one page. The
    // 999 blocks of 1,000 ids between the first call and the last hold none and cost nothing.
    assertEquals(1 + 2 * ids.length, runtime.callSource().queriesSent());
  }

  /** A supervisor for a new talk-ratio job over the tenant's calls, once it has accepted the job. */
  private static ActorRef<JobSupervisor.Command> submitted(String jobId, String tenant, JobRuntime runtime) {
    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    supervisor.tell(
        new JobSupervisor.Submit(new JobSpec("talk-ratio", 1, tenant, null, null, Map.of()), null, accepted.getRef()));
    assertEquals(jobId, accepted.receiveMessage().getValue().jobId());
    return supervisor;
  }

  /** Calls {@code firstId} to {@code firstId + CALLS - 1} of {@code tenant}. */
  private static void insertCalls(String tenant, long firstId) {
    PrimaryRows.insert(
        settings.primary().url(),
        LongStream.range(firstId, firstId + CALLS).mapToObj(id -> callOf(tenant, id)).toList());
  }

  private static CallRow callOf(String tenant, long id) {
    CallRow call = TestTranscripts.simpleCall(id);
    return new CallRow(id, tenant, call.startedAtEpochMs(), call.durationSeconds(), call.source(), call.transcriptJson());
  }

  private static JobRuntime runtimeRecordingNewCalls(String tenant, long firstNewId, AtomicLong recorded) {
    ActorRef<Governor.Command> governor =
        testKit.spawn(recordingACallBeforeEveryPage(tenant, firstNewId, recorded), "governor-" + tenant);
    return new JobRuntime(
        settings,
        new PrimaryCallSource(settings.primary(), ForkJoinPool.commonPool(), connections),
        new GovernedPrimary(governor, testKit.system(), governorSettings.askTimeout()),
        new CassandraOutcomeLedger(session));
  }

  /**
   * Grants every lease at once, on slot 0 (a job runs one query at a time); before granting one
   * for a page (more than the single row a count asks for) it records a new call of the tenant.
   */
  private static Behavior<Governor.Command> recordingACallBeforeEveryPage(
      String tenant, long firstNewId, AtomicLong recorded) {
    return Behaviors.receive(Governor.Command.class)
        .onMessage(
            Governor.AcquireLease.class,
            lease -> {
              if (lease.rows() > 1) {
                PrimaryRows.insert(
                    settings.primary().url(), List.of(callOf(tenant, firstNewId + recorded.getAndIncrement())));
              }
              lease.replyTo().tell(new Governor.LeaseGranted(UUID.randomUUID().toString(), 0, lease.rows()));
              return Behaviors.same();
            })
        .onAnyMessage(message -> Behaviors.same())
        .build();
  }

  private static ActorRef<ClusterSharding.ShardCommand> shardProbe() {
    return testKit.<ClusterSharding.ShardCommand>createTestProbe().getRef();
  }

  /** The job's status once it has finished: a job that never ends fails this after a minute. */
  private static JobStatus awaitFinished(ActorRef<JobSupervisor.Command> supervisor) {
    TestProbe<JobStatus> probe = testKit.createTestProbe();
    return probe.awaitAssert(
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> {
          supervisor.tell(new JobSupervisor.GetStatus(probe.getRef()));
          JobStatus status = probe.receiveMessage();
          JobPhase phase = status.phase();
          assertTrue(
              phase == JobPhase.COMPLETED || phase == JobPhase.FAILED || phase == JobPhase.CANCELLED,
              status::toString);
          return status;
        });
  }

  private static long lastWatermark(List<Object> events) {
    return events.stream()
        .filter(ProgressRecorded.class::isInstance)
        .mapToLong(event -> ((ProgressRecorded) event).watermark())
        .max()
        .orElse(0);
  }

  private static String persistenceId(String jobId) {
    return PersistenceId.of(JobSupervisor.ENTITY_TYPE_KEY.name(), jobId).id();
  }
}
