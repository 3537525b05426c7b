package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import dev.backfill.engine.governor.PrimaryHealthProbe;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobEvent.JobSubmitted;
import dev.backfill.engine.processor.ProcessorRegistry;
import dev.backfill.engine.schema.CassandraSessions;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.source.PrimaryConnections;
import dev.backfill.engine.store.CassandraOutcomeLedger;
import dev.backfill.engine.store.CassandraResultStore;
import dev.backfill.engine.testing.JobResults;
import dev.backfill.engine.testing.PrimaryRows;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestCluster;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job supervisor's events and state with Pekko's EventSourcedBehaviorTestKit (which also
 * checks that every command, event and state serializes), reading a real primary database and
 * feeding real call entities that write to a real Cassandra.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobSupervisorTest {

  private static final int CALLS = 45;
  /** A stopped job's results have not changed for this long: the calls in flight have finished. */
  private static final Duration SETTLED_AFTER = Duration.ofMillis(1500);
  /**
   * The observation window over which a paused or cancelled job must write nothing. A capped job
   * reads a page (10 calls here) whenever its budget has paid for one, so at its cap of 5 calls/s a
   * job still running writes a page every 2 s, at least one within the window. (At 2 calls/s, a
   * page every 5 s, a running job passed for paused: made to fail by resuming it instead.)
   */
  private static final Duration NOTHING_HAPPENS_WINDOW = Duration.ofSeconds(3);
  private static ActorTestKit testKit;
  private static CqlSession session;
  private static PrimaryCallSource callSource;
  private static EngineSettings settings;
  private static JobRuntime runtime;
  private static JobResults jobResults;

  @BeforeAll
  static void start() {
    // Small pages and checkpoints, so that 45 calls take several of each.
    Config config =
        ConfigFactory.parseMap(
                Map.of("backfill.primary.page-size", 10, "backfill.jobs.checkpoint-every-calls", 7))
            .withFallback(RealStores.freshEnvironment("job_supervisor"));
    Config withTestJournal = EventSourcedBehaviorTestKit.config().withFallback(config);
    testKit = ActorTestKit.create("JobSupervisorTest", withTestJournal);
    TestCluster.joinSelf(testKit.system());
    settings = EngineSettings.create(config);
    session = CassandraSessions.withKeyspace(settings.cassandra());
    jobResults = new JobResults(session, testKit.createTestProbe());
    GovernorSettings governorSettings = GovernorSettings.create(config);
    callSource =
        new PrimaryCallSource(
            settings.primary(),
            ForkJoinPool.commonPool(),
            new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout()));
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
            callSource,
            new GovernedPrimary(governor, testKit.system(), governorSettings.askTimeout()),
            new CassandraOutcomeLedger(session),
            MemberLosses.none(),
            // As on a node: the pages are read by the block readers in the calls' shards.
            true);
    CallEntity.init(
        testKit.system(),
        new CallProcessing(
            new CassandraResultStore(session, settings.results().audit()),
            new CassandraOutcomeLedger(session),
            ProcessorRegistry.load(),
            ForkJoinPool.commonPool(),
            new ObjectMapper()),
        16,
        runtime.blockReaders());
    List<CallRow> calls =
        LongStream.rangeClosed(1, CALLS)
            .mapToObj(id -> id == 13 ? TestTranscripts.malformedCall(id) : TestTranscripts.simpleCall(id))
            .toList();
    PrimaryRows.insert(settings.primary().url(), calls);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    session.close();
  }

  @Test
  void aSubmittedJobCountsItsCallsProcessesThemAllAndCompletes() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var kit = supervisorOf(jobId, shard);
    JobSpec spec = new JobSpec("talk-ratio", 1, null, null, null, Map.of());

    var submitted = kit.<StatusReply<JobSupervisor.Accepted>>runCommand(replyTo -> new JobSupervisor.Submit(spec, null, replyTo));

    assertInstanceOf(JobSubmitted.class, submitted.event());
    assertEquals(jobId, submitted.reply().getValue().jobId());
    JobState.Finished finished = awaitFinished(kit);
    assertEquals(JobPhase.COMPLETED, finished.phase());
    assertEquals(CALLS, finished.totalCalls());
    assertEquals(CALLS, finished.counts().scanned());
    assertEquals(CALLS - 1, finished.counts().processed());
    assertEquals(1, finished.counts().failed(), "call 13 has a malformed transcript");
    assertEquals(0, finished.counts().skipped());
    long resultRows =
        session.execute("SELECT call_id, processor FROM call_results").all().stream()
            .filter(row -> row.getString("processor").equals("talk-ratio"))
            .count();
    assertEquals(CALLS - 1, resultRows);
    // Finished, it asks its shard to let it go: with remember-entities, that is what makes its
    // shard forget it.
    shard.expectMessageClass(ClusterSharding.Passivate.class);

    // The same job restarted from its journal is still complete and does not run again.
    kit.restart();
    assertInstanceOf(JobState.Finished.class, kit.getState());
  }

  @Test
  void aSecondJobForTheSameProcessorSkipsEveryCallAlreadyDone() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    JobSpec spec = new JobSpec("question-count", 1, "acme", null, null, Map.of());
    JobState.Finished first = runToEnd(shard, spec);
    JobState.Finished second = runToEnd(shard, spec);

    assertEquals(CALLS - 1, first.counts().processed());
    assertEquals(0, second.counts().processed());
    assertEquals(CALLS - 1, second.counts().skipped());
    assertEquals(1, second.counts().failed());
  }

  @Test
  void askingAboutAnUnknownJobAnswersUnknownAndLetsTheEntityGo() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    var kit = supervisorOf("no-such-job", shard);

    var result = kit.<JobStatus>runCommand(JobSupervisor.GetStatus::new);

    assertEquals(JobPhase.UNKNOWN, result.reply().phase());
    assertTrue(result.hasNoEvents());
    shard.expectMessageClass(ClusterSharding.Passivate.class);
  }

  @Test
  void aPausedJobStaysPausedThroughARestartAndCompletesWhenResumed() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var kit = supervisorOf(jobId, shard);
    JobSpec spec = new JobSpec("longest-monologue", 1, null, null, null, Map.of());
    // Capped at 5 calls/s, the job is certainly still running when it is paused.
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(
        replyTo -> new JobSupervisor.Submit(spec, new JobTuning(1, 5.0), replyTo));
    jobResults.awaitMoreThan(jobId, 0, Duration.ofSeconds(30));

    var paused =
        kit.<StatusReply<JobStatus>>runCommand(
            replyTo -> new JobSupervisor.Control(JobSupervisor.Action.PAUSE, replyTo));
    assertEquals(JobPhase.PAUSED, paused.reply().getValue().phase());

    kit.restart();
    assertTrue(((JobState.Active) kit.getState()).paused(), "still paused after a restart");
    assertEquals(JobPhase.PAUSED, kit.<JobStatus>runCommand(JobSupervisor.GetStatus::new).reply().phase());
    // Running, it would write a page of results every 2 s: paused, it writes none.
    long whilePaused = jobResults.awaitSettled(jobId, SETTLED_AFTER, Duration.ofSeconds(20));
    assertTrue(whilePaused < CALLS - 1, () -> "paused before its end, with " + whilePaused + " results");
    jobResults.assertUnchangedFor(jobId, whilePaused, NOTHING_HAPPENS_WINDOW);

    kit.<StatusReply<JobStatus>>runCommand(replyTo -> new JobSupervisor.Tune(JobTuning.DEFAULT, replyTo));
    kit.<StatusReply<JobStatus>>runCommand(
        replyTo -> new JobSupervisor.Control(JobSupervisor.Action.RESUME, replyTo));
    jobResults.awaitMoreThan(jobId, whilePaused, Duration.ofSeconds(30));
    JobState.Finished finished = awaitFinished(kit);
    assertEquals(JobPhase.COMPLETED, finished.phase());
    assertEquals(CALLS - 1, finished.counts().processed() + finished.counts().skipped());
    assertEquals(1, finished.counts().failed());
    assertEquals(CALLS - 1, jobResults.count(jobId), "every call's result but the malformed one's");
  }

  @Test
  void aCancelledJobStopsForGoodAndRefusesFurtherControl() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var kit = supervisorOf(jobId, shard);
    JobSpec spec = new JobSpec("patience", 1, null, null, null, Map.of());
    // Capped at 5 calls/s: certainly running when cancelled, and seen to write results until then.
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(
        replyTo -> new JobSupervisor.Submit(spec, new JobTuning(1, 5.0), replyTo));
    jobResults.awaitMoreThan(jobId, 0, Duration.ofSeconds(30));

    var cancelled =
        kit.<StatusReply<JobStatus>>runCommand(
            replyTo -> new JobSupervisor.Control(JobSupervisor.Action.CANCEL, replyTo));

    assertEquals(JobPhase.CANCELLED, cancelled.reply().getValue().phase());
    long afterCancel = jobResults.awaitSettled(jobId, SETTLED_AFTER, Duration.ofSeconds(20));
    assertTrue(afterCancel < CALLS - 1, () -> "cancelled before its end, with " + afterCancel + " results");
    jobResults.assertUnchangedFor(jobId, afterCancel, NOTHING_HAPPENS_WINDOW);
    kit.restart();
    assertEquals(JobPhase.CANCELLED, ((JobState.Finished) kit.getState()).phase());
    var again =
        kit.<StatusReply<JobStatus>>runCommand(
            replyTo -> new JobSupervisor.Control(JobSupervisor.Action.RESUME, replyTo));
    assertTrue(again.reply().isError());
  }

  /**
   * A job keeps of its run only the run's actor: word of the end of any other run (one stopped
   * before a restart, say) is not taken for the end of the job. Made to fail once by taking every
   * run's word: the job completed with 11 of its 44 calls done.
   */
  @Test
  void theEndOfARunTheJobHasForgottenIsNotTheEndOfTheJob() {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var kit = supervisorOf(jobId, shard);
    JobSpec spec = new JobSpec("keyword-tracker", 1, null, null, null, Map.of("keywords", "forgotten run"));
    // Capped at 10 calls/s: still running when the word comes.
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(
        replyTo -> new JobSupervisor.Submit(spec, new JobTuning(1, 10.0), replyTo));
    jobResults.awaitMoreThan(jobId, 0, Duration.ofSeconds(30));

    TestProbe<JobRun.Command> forgottenRun = testKit.createTestProbe();
    kit.runCommand(new JobSupervisor.RunEnded(forgottenRun.getRef(), false, null));

    JobState.Finished finished = awaitFinished(kit);
    assertEquals(JobPhase.COMPLETED, finished.phase());
    assertEquals(CALLS - 1, finished.counts().processed() + finished.counts().skipped(), "every call done");
    assertEquals(CALLS - 1, jobResults.count(jobId));
  }

  /**
   * A retry of failed calls that reaches a finished job after it asked to be let go (it was in its
   * mailbox before sharding's stop message) is not lost: once this incarnation has stopped, it
   * goes back through sharding to the next one, which runs it and answers.
   */
  @Test
  void aRetryThatArrivesWhileAFinishedJobIsLetGoIsRunByItsNextIncarnation() {
    JobSharding.init(testKit.system(), runtime);
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    String jobId = UUID.randomUUID().toString();
    var job = testKit.spawn(JobSupervisor.create(jobId, shard.getRef(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    job.tell(new JobSupervisor.Submit(new JobSpec("interactivity", 1, null, null, null, Map.of()), null, accepted.getRef()));
    assertTrue(accepted.receiveMessage().isSuccess());
    // Completed, with call 13 failed: it asks to be let go.
    shard.expectMessageClass(ClusterSharding.Passivate.class, Duration.ofSeconds(60));

    TestProbe<StatusReply<JobStatus>> retried = testKit.createTestProbe();
    job.tell(new JobSupervisor.RetryFailed(retried.getRef()));
    retried.expectNoMessage(Duration.ofMillis(500));
    // What sharding sends an entity it lets go.
    job.tell(JobSupervisor.HandOff.INSTANCE);

    StatusReply<JobStatus> reply = retried.receiveMessage(Duration.ofSeconds(30));
    assertTrue(reply.isSuccess(), () -> String.valueOf(reply));
    assertEquals(JobPhase.RUNNING, reply.getValue().phase());
  }

  private JobState.Finished runToEnd(TestProbe<ClusterSharding.ShardCommand> shard, JobSpec spec) {
    var kit = supervisorOf(UUID.randomUUID().toString(), shard);
    kit.<StatusReply<JobSupervisor.Accepted>>runCommand(replyTo -> new JobSupervisor.Submit(spec, null, replyTo));
    return awaitFinished(kit);
  }

  private EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> supervisorOf(
      String jobId, TestProbe<ClusterSharding.ShardCommand> shard) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), JobSupervisor.create(jobId, shard.getRef(), runtime));
  }

  /** The job's state once it has finished, waited for at most a minute. */
  private JobState.Finished awaitFinished(EventSourcedBehaviorTestKit<JobSupervisor.Command, JobEvent, JobState> kit) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    return waiter.awaitAssert(
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> assertInstanceOf(JobState.Finished.class, kit.getState()));
  }
}
