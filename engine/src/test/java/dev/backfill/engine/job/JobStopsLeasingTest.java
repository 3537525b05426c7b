package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.source.PrimaryConnections;
import dev.backfill.engine.testing.PrimaryRows;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestCluster;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Once a pause, a cancel or a hand-off has taken effect, the job asks the governor for no more
 * leases and sends the primary no more queries, even while it was waiting for a lease: so it stops
 * claiming its share of the governor's rate (the governor forgets a job that stopped asking).
 *
 * <p>A test probe stands in for the governor and answers every lease request by hand; the primary
 * is real, and {@link PrimaryCallSource#queriesSent()} counts what was sent to it. The job's
 * journal is Pekko's in-memory test journal. The job's pages are read as on a node, by the
 * block reader in the shard of its calls ({@link BlockReader}), which asks for the leases: the job
 * must tell it to stop. And a reader that waits for a lease longer than sharding lets an entity of
 * its type idle keeps its page (its job tells it through its shard that the page is still wanted).
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobStopsLeasingTest {

  private static final int CALLS = 30;
  /** What the stand-in governor tells a job it holds back: ask again this soon. */
  private static final Duration ASK_AGAIN = Duration.ofMillis(50);
  /** Thirty times ASK_AGAIN: a job still waiting for a lease would have asked again by then. */
  private static final Duration SILENCE = Duration.ofMillis(1500);

  /**
   * How long sharding lets an entity of the readers' type go without a message before stopping it:
   * three of the job's keep-alives (JobPipeline.KEEP_ALIVE_EVERY), as in the shipped configuration
   * (four), so that a busy machine's late timer does not stop the reader.
   */
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1500);

  private static ActorTestKit testKit;
  /** The runtime of the test running: block readers started for its job read with it. */
  private static volatile JobRuntime runtimeOfTheTest;
  private static EngineSettings settings;
  private static GovernorSettings governorSettings;

  private TestProbe<Governor.Command> governor;
  private PrimaryConnections connections;
  private PrimaryCallSource callSource;
  private JobRuntime runtime;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.primary.page-size", 10,
                    "pekko.cluster.sharding.passivation.strategy", "default-strategy",
                    "pekko.cluster.sharding.passivation.default-strategy.idle-entity.timeout", IDLE_TIMEOUT.toMillis() + "ms"))
            .withFallback(RealStores.freshEnvironment("job_stops_leasing"));
    testKit = ActorTestKit.create("JobStopsLeasingTest", EventSourcedBehaviorTestKit.config().withFallback(config));
    TestCluster.joinSelf(testKit.system());
    settings = EngineSettings.create(config);
    governorSettings = GovernorSettings.create(config);
    PrimaryRows.insert(
        settings.primary().url(),
        LongStream.rangeClosed(1, CALLS).mapToObj(TestTranscripts::simpleCall).toList());
    CallEntity.init(testKit.system(), new EveryCallIsDone(), 16, readerId -> BlockReader.create(runtimeOfTheTest));
  }

  /** Only one test reads a page: its calls are done at once, so that the job goes on to the next. */
  private static final class EveryCallIsDone implements CallEntity.Work {
    @Override
    public CompletionStage<CallOutcome> process(CallEntity.Process request) {
      return CompletableFuture.completedFuture(CallOutcome.done(request.callId()));
    }

    @Override
    public CompletionStage<CallOutcome> recordFailed(CallEntity.Request request, String reason) {
      return CompletableFuture.failedFuture(new IllegalStateException("no call fails in these tests"));
    }
  }

  @BeforeEach
  void standInGovernorAndPrimary() {
    governor = testKit.createTestProbe(Governor.Command.class);
    connections = new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout());
    callSource = new PrimaryCallSource(settings.primary(), ForkJoinPool.commonPool(), connections);
    // No outcome ledger: these jobs never re-drive failed calls, the only use a job makes of it.
    runtime =
        new JobRuntime(
            settings,
            callSource,
            new GovernedPrimary(governor.getRef(), testKit.system(), Duration.ofSeconds(10)),
            null,
            MemberLosses.none(),
            true);
    runtimeOfTheTest = runtime;
  }

  @AfterEach
  void closeConnections() {
    connections.close();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aJobPausedWhileWaitingForALeaseAsksForNoMoreAndGoesOnWhenResumed() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease waiting = waitingForItsFirstPage(jobId);
    long queries = callSource.queriesSent();

    assertEquals(JobPhase.PAUSED, control(job, JobSupervisor.Action.PAUSE).phase());
    // The request it sent before the pause is answered only now, with a refusal.
    waiting.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));

    governor.expectNoMessage(SILENCE);
    assertEquals(queries, callSource.queriesSent());

    assertNotEquals(JobPhase.PAUSED, control(job, JobSupervisor.Action.RESUME).phase());
    Governor.AcquireLease again = governor.expectMessageClass(Governor.AcquireLease.class);
    assertEquals(jobId, again.jobId());
    cancel(job, again);
  }

  @Test
  void aReaderWaitingForALeaseLongerThanTheIdleTimeoutKeepsItsPageAndReadsItWhenGranted() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease waiting = waitingForItsFirstPage(jobId);
    long queries = callSource.queriesSent();
    try {
      // Over two idle timeouts, and under the job's ask timeout (5 s), whose repeated ask would
      // also keep the reader: a reader stopped as idle would have given its page up, and the job
      // would ask a new one, whose lease request would come instead of the page's release.
      governor.expectNoMessage(Duration.ofSeconds(4));
      waiting.replyTo().tell(new Governor.LeaseGranted("granted-late", 0, 10));

      Governor.ReleaseLease released = governor.expectMessageClass(Governor.ReleaseLease.class);
      assertEquals("granted-late", released.leaseId());
      assertTrue(released.rows() > 0, "the page was read under the late lease: " + released);
      assertTrue(callSource.queriesSent() > queries);
      // The page's answer reached the job: it goes on to the next page.
      Governor.AcquireLease next = governor.expectMessageClass(Governor.AcquireLease.class);
      assertEquals(jobId, next.jobId());
      next.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));
    } finally {
      // Left running, the job's readers would ask the next test's governor.
      control(job, JobSupervisor.Action.CANCEL);
    }
  }

  @Test
  void aLeaseGrantedAfterThePauseIsHandedBackUnusedAndNoPageIsRead() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease waiting = waitingForItsFirstPage(jobId);
    long queries = callSource.queriesSent();

    assertEquals(JobPhase.PAUSED, control(job, JobSupervisor.Action.PAUSE).phase());
    waiting.replyTo().tell(new Governor.LeaseGranted("granted-after-the-pause", 0, 10));

    Governor.ReleaseLease released = governor.expectMessageClass(Governor.ReleaseLease.class);
    assertEquals("granted-after-the-pause", released.leaseId());
    assertEquals(0, released.rows(), "no page was read under the lease");
    governor.expectNoMessage(SILENCE);
    assertEquals(queries, callSource.queriesSent());
  }

  @Test
  void aCancelledJobAsksForNoMoreLeases() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease waiting = waitingForItsFirstPage(jobId);
    long queries = callSource.queriesSent();

    assertEquals(JobPhase.CANCELLED, control(job, JobSupervisor.Action.CANCEL).phase());
    waiting.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));

    governor.expectNoMessage(SILENCE);
    assertEquals(queries, callSource.queriesSent());
  }

  @Test
  void aJobHandedOffToAnotherNodeLeavesNoLeaseWaitBehind() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease waiting = waitingForItsFirstPage(jobId);
    long queries = callSource.queriesSent();

    job.tell(JobSupervisor.HandOff.INSTANCE);
    testKit.createTestProbe().expectTerminated(job);
    waiting.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));

    governor.expectNoMessage(SILENCE);
    assertEquals(queries, callSource.queriesSent());
  }

  @Test
  void aJobPausedWhileWaitingToCountItsCallsAsksForNoMoreAndCountsWhenResumed() {
    String jobId = UUID.randomUUID().toString();
    var job = submitted(jobId);
    Governor.AcquireLease count = governor.expectMessageClass(Governor.AcquireLease.class);
    long queries = callSource.queriesSent();

    assertEquals(JobPhase.PAUSED, control(job, JobSupervisor.Action.PAUSE).phase());
    count.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));

    governor.expectNoMessage(SILENCE);
    assertEquals(queries, callSource.queriesSent());

    control(job, JobSupervisor.Action.RESUME);
    Governor.AcquireLease again = governor.expectMessageClass(Governor.AcquireLease.class);
    assertEquals(jobId, again.jobId());
    assertEquals(1, again.rows(), "a count again: nothing was counted while paused");
    cancel(job, again);
  }

  private ActorRef<JobSupervisor.Command> submitted(String jobId) {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    var job = testKit.spawn(JobSupervisor.create(jobId, shard.getRef(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    job.tell(
        new JobSupervisor.Submit(new JobSpec("talk-ratio", 1, null, null, null, Map.of()), null, accepted.getRef()));
    assertEquals(jobId, accepted.receiveMessage().getValue().jobId());
    return job;
  }

  /**
   * Grants the job's count and the lookup of its first block, then holds its first page back
   * once, as a busy governor would: returns the request the block's reader sends again after the
   * wait, unanswered, so the reader is waiting for it.
   */
  private Governor.AcquireLease waitingForItsFirstPage(String jobId) {
    Governor.AcquireLease count = governor.expectMessageClass(Governor.AcquireLease.class);
    assertEquals(jobId, count.jobId());
    count.replyTo().tell(new Governor.LeaseGranted("count", 0, 1));
    governor.expectMessageClass(Governor.ReleaseLease.class);
    Governor.AcquireLease lookup = governor.expectMessageClass(Governor.AcquireLease.class);
    lookup.replyTo().tell(new Governor.LeaseGranted("first-block", 0, 1));
    governor.expectMessageClass(Governor.ReleaseLease.class);
    Governor.AcquireLease page = governor.expectMessageClass(Governor.AcquireLease.class);
    page.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));
    Governor.AcquireLease again = governor.expectMessageClass(Governor.AcquireLease.class);
    assertEquals(jobId, again.jobId());
    return again;
  }

  private static JobStatus control(ActorRef<JobSupervisor.Command> job, JobSupervisor.Action action) {
    TestProbe<StatusReply<JobStatus>> reply = testKit.createTestProbe();
    job.tell(new JobSupervisor.Control(action, reply.getRef()));
    return reply.receiveMessage().getValue();
  }

  /** Ends a test's job, answering the request it is waiting on so that nothing is left running. */
  private static void cancel(ActorRef<JobSupervisor.Command> job, Governor.AcquireLease waiting) {
    control(job, JobSupervisor.Action.CANCEL);
    waiting.replyTo().tell(new Governor.LeaseDenied(ASK_AGAIN, "held back by the test"));
  }
}
