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
import dev.backfill.engine.job.JobEvent.JobFailed;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.JournalOperation;
import org.apache.pekko.persistence.testkit.ProcessingPolicy;
import org.apache.pekko.persistence.testkit.ProcessingResult;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.Reject;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A journal that is slow, down or refusing while a job runs stalls the job (STALLED, saying why)
 * instead of failing it, and the job completes by itself once the journal takes its checkpoints
 * again, with every call counted once: nothing was claimed that the journal did not accept.
 *
 * <p>The journal is Pekko's in-memory PersistenceTestKit journal with a policy that treats the
 * job's checkpoints (its ProgressRecorded events) badly until the test lets it recover; the
 * primary and Cassandra are real, and a stand-in governor grants every lease at once, so that only
 * the journal holds the job back.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobJournalStallTest {

  private static final int CALLS = 45;
  /** Longer than a checkpoint's ask timeout (twice calls.ask-timeout, set to 1 s below). */
  private static final Duration SLOW_CHECKPOINT = Duration.ofSeconds(3);

  private static ActorTestKit testKit;
  private static CqlSession session;
  private static PrimaryConnections connections;
  private static JobRuntime runtime;
  private static PersistenceTestKit journal;

  @BeforeAll
  static void start() {
    // Small pages and checkpoints, so that 45 calls take several of each; a short ask timeout, so
    // that a journal a few seconds slow is slower than a checkpoint may take.
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.primary.page-size", 10,
                    "backfill.jobs.checkpoint-every-calls", 7,
                    "backfill.calls.ask-timeout", "1s"))
            .withFallback(RealStores.freshEnvironment("job_journal_stall"));
    testKit = ActorTestKit.create("JobJournalStallTest", EventSourcedBehaviorTestKit.config().withFallback(config));
    TestCluster.joinSelf(testKit.system());
    journal = PersistenceTestKit.create(testKit.system());
    EngineSettings settings = EngineSettings.create(config);
    GovernorSettings governorSettings = GovernorSettings.create(config);
    session = CassandraSessions.withKeyspace(settings.cassandra());
    connections = new PrimaryConnections(settings.primary(), governorSettings.connectionIdleTimeout());
    var governor = testKit.spawn(grantingGovernor(), "governor");
    runtime =
        new JobRuntime(
            settings,
            new PrimaryCallSource(settings.primary(), ForkJoinPool.commonPool(), connections),
            new GovernedPrimary(governor, testKit.system(), governorSettings.askTimeout()),
            new CassandraOutcomeLedger(session));
    CallEntity.init(
        testKit.system(),
        new CallProcessing(
            new CassandraResultStore(session, settings.results().audit()),
            new CassandraOutcomeLedger(session),
            ProcessorRegistry.load(),
            ForkJoinPool.commonPool(),
            new ObjectMapper()),
        16);
    List<CallRow> calls =
        LongStream.rangeClosed(1, CALLS)
            .mapToObj(id -> id == 13 ? TestTranscripts.malformedCall(id) : TestTranscripts.simpleCall(id))
            .toList();
    PrimaryRows.insert(settings.primary().url(), calls);
  }

  @AfterEach
  void healthyJournal() {
    journal.resetPolicy();
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    connections.close();
    session.close();
  }

  @Test
  void aJournalSlowerThanTheCheckpointTimeoutStallsTheJobWhichCompletesWhenItIsFastAgain() {
    SlowCheckpoints slow = new SlowCheckpoints(SLOW_CHECKPOINT);
    journal.withPolicy(slow);
    String jobId = UUID.randomUUID().toString();
    var supervisor = submitted(jobId, new JobSpec("talk-ratio", 1, null, null, null, Map.of()));

    JobStatus stalled = awaitStatus(supervisor, status -> status.phase() == JobPhase.STALLED);
    assertTrue(stalled.reason().contains("journal"), stalled::toString);

    slow.recover();
    assertCompletedOnce(jobId, supervisor);
  }

  @Test
  void aJournalThatFailsCheckpointsStallsTheJobWhichCompletesWhenTheJournalIsBack() {
    RefusedCheckpoints down =
        new RefusedCheckpoints(StorageFailure.create(new IllegalStateException("the test's journal is down")));
    journal.withPolicy(down);
    String jobId = UUID.randomUUID().toString();
    var supervisor = submitted(jobId, new JobSpec("question-count", 1, null, null, null, Map.of()));

    JobStatus stalled = awaitStatus(supervisor, status -> status.phase() == JobPhase.STALLED);
    assertTrue(stalled.reason().contains("the test's journal is down"), stalled::toString);

    down.recover();
    assertCompletedOnce(jobId, supervisor);
  }

  @Test
  void aJournalThatRejectsCheckpointsStallsTheJobWhichCompletesWhenItTakesThemAgain() {
    RefusedCheckpoints refusing =
        new RefusedCheckpoints(Reject.create(new IllegalArgumentException("the test's journal refuses")));
    journal.withPolicy(refusing);
    String jobId = UUID.randomUUID().toString();
    var supervisor = submitted(jobId, new JobSpec("patience", 1, null, null, null, Map.of()));

    JobStatus stalled = awaitStatus(supervisor, status -> status.phase() == JobPhase.STALLED);
    assertTrue(stalled.reason().contains("the test's journal refuses"), stalled::toString);

    refusing.recover();
    assertCompletedOnce(jobId, supervisor);
  }

  private static ActorRef<JobSupervisor.Command> submitted(String jobId, JobSpec spec) {
    var shard = testKit.<ClusterSharding.ShardCommand>createTestProbe();
    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shard.getRef(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    supervisor.tell(new JobSupervisor.Submit(spec, null, accepted.getRef()));
    assertEquals(jobId, accepted.receiveMessage().getValue().jobId());
    return supervisor;
  }

  /**
   * The job's status once {@code wanted} holds, or once the job has finished (so that a job that
   * failed is seen at once, not after the deadline). A journal that holds a write holds the job's
   * answers too, hence the generous wait for each one.
   */
  private static JobStatus awaitStatus(ActorRef<JobSupervisor.Command> supervisor, Predicate<JobStatus> wanted) {
    TestProbe<JobStatus> probe = testKit.createTestProbe();
    JobStatus status =
        probe.awaitAssert(
            Duration.ofSeconds(90),
            Duration.ofMillis(100),
            () -> {
              supervisor.tell(new JobSupervisor.GetStatus(probe.getRef()));
              JobStatus answer = probe.receiveMessage(Duration.ofSeconds(15));
              assertTrue(wanted.test(answer) || finished(answer.phase()), answer::toString);
              return answer;
            });
    assertTrue(wanted.test(status), status::toString);
    return status;
  }

  private static boolean finished(JobPhase phase) {
    return phase == JobPhase.COMPLETED || phase == JobPhase.CANCELLED || phase == JobPhase.FAILED;
  }

  /** Completed, never failed, and every call counted exactly once (the malformed one as failed). */
  private static void assertCompletedOnce(String jobId, ActorRef<JobSupervisor.Command> supervisor) {
    JobStatus done = awaitStatus(supervisor, status -> finished(status.phase()));
    assertEquals(JobPhase.COMPLETED, done.phase(), done::toString);
    assertEquals(CALLS - 1, done.counts().processed() + done.counts().skipped(), done::toString);
    assertEquals(1, done.counts().failed(), done::toString);
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    assertTrue(events.stream().noneMatch(JobFailed.class::isInstance), events::toString);
    long lastWatermark =
        events.stream()
            .filter(ProgressRecorded.class::isInstance)
            .mapToLong(event -> ((ProgressRecorded) event).watermark())
            .max()
            .orElse(0);
    assertEquals(CALLS, lastWatermark, events::toString);
  }

  private static String persistenceId(String jobId) {
    return PersistenceId.of(JobSupervisor.ENTITY_TYPE_KEY.name(), jobId).id();
  }

  private static boolean isCheckpoint(JournalOperation operation) {
    return operation instanceof WriteEvents write
        && write.getBatch().stream().anyMatch(ProgressRecorded.class::isInstance);
  }

  /** A journal that takes {@code delay} to store a checkpoint until it recovers. */
  private static final class SlowCheckpoints implements ProcessingPolicy<JournalOperation> {
    private final Duration delay;
    private final CountDownLatch recovered = new CountDownLatch(1);

    SlowCheckpoints(Duration delay) {
      this.delay = delay;
    }

    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
      if (isCheckpoint(operation)) {
        try {
          // The journal's own latency: the write answers after the delay, or as soon as the
          // journal has recovered.
          recovered.await(delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return ProcessingSuccess.getInstance();
    }

    void recover() {
      recovered.countDown();
    }
  }

  /** A journal that answers every checkpoint with {@code refusal} until it recovers. */
  private static final class RefusedCheckpoints implements ProcessingPolicy<JournalOperation> {
    private final ProcessingResult refusal;
    private volatile boolean recovered;

    RefusedCheckpoints(ProcessingResult refusal) {
      this.refusal = refusal;
    }

    @Override
    public ProcessingResult tryProcess(String persistenceId, JournalOperation operation) {
      return !recovered && isCheckpoint(operation) ? refusal : ProcessingSuccess.getInstance();
    }

    void recover() {
      recovered = true;
    }
  }

  /** Stands in for the governor: every lease at once, on slot 0 (a job reads one query at a time). */
  private static Behavior<Governor.Command> grantingGovernor() {
    return Behaviors.receive(Governor.Command.class)
        .onMessage(
            Governor.AcquireLease.class,
            lease -> {
              lease.replyTo().tell(new Governor.LeaseGranted(UUID.randomUUID().toString(), 0, lease.rows()));
              return Behaviors.same();
            })
        .onAnyMessage(message -> Behaviors.same())
        .build();
  }
}
