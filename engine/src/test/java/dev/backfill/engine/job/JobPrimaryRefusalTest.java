package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.governor.Governor;
import dev.backfill.engine.governor.GovernorSettings;
import dev.backfill.engine.job.JobEvent.JobFailed;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobEvent.JobSubmitted;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.source.PrimaryConnections;
import dev.backfill.engine.testing.PrimaryRows;
import dev.backfill.engine.testing.RealStores;
import dev.backfill.engine.testing.TestCluster;
import dev.backfill.engine.testing.TestTranscripts;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A query the primary refuses for good fails the job at once, with the primary's reason, after
 * one attempt: here its tenant holds a NUL character, which PostgreSQL refuses in a text value
 * (SQLState 22021; POST /jobs refuses one, but a job journaled before it did, or built another
 * way, may hold one). A primary that does not answer is an outage, not a refusal: the job stalls,
 * asks again and again, and never fails.
 *
 * <p>The primary is real (or, for the outage, a closed port); a stand-in governor grants every
 * lease at once and counts them; {@link PrimaryCallSource#queriesSent()} counts what was sent to
 * the primary. The journal is Pekko's in-memory test journal, so that a job can be made to have
 * started already (its scope fixed) and go straight to its pages.
 */
@ExtendWith({RealStores.class, LogCapturingExtension.class})
class JobPrimaryRefusalTest {

  private static final String TENANT_WITH_NUL = "ac\u0000me";
  private static final Instant LONG_AGO = Instant.parse("2026-01-01T00:00:00Z");
  private static final Pattern ATTEMPT = Pattern.compile("does not answer \\(attempt (\\d+)\\)");

  private static ActorTestKit testKit;
  private static EngineSettings settings;
  private static GovernorSettings governorSettings;
  private static PersistenceTestKit journal;

  private final AtomicInteger leases = new AtomicInteger();
  private PrimaryConnections connections;
  private PrimaryCallSource callSource;
  private ActorRef<Governor.Command> governor;

  @BeforeAll
  static void start() {
    Config config =
        ConfigFactory.parseMap(Map.of("backfill.primary.page-size", 10))
            .withFallback(RealStores.freshEnvironment("job_primary_refusal"));
    testKit = ActorTestKit.create("JobPrimaryRefusalTest", EventSourcedBehaviorTestKit.config().withFallback(config));
    TestCluster.joinSelf(testKit.system());
    journal = PersistenceTestKit.create(testKit.system());
    settings = EngineSettings.create(config);
    governorSettings = GovernorSettings.create(config);
    PrimaryRows.insert(
        settings.primary().url(), LongStream.rangeClosed(1, 5).mapToObj(TestTranscripts::simpleCall).toList());
  }

  @BeforeEach
  void standInGovernor() {
    governor = testKit.spawn(countingGovernor(leases));
  }

  @AfterEach
  void closeConnections() {
    testKit.stop(governor);
    if (connections != null) {
      connections.close();
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aCountThePrimaryRefusesFailsTheJobAtOnceWithItsReason() {
    JobRuntime runtime = runtimeOn(settings.primary());
    String jobId = UUID.randomUUID().toString();
    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    supervisor.tell(new JobSupervisor.Submit(specFor(TENANT_WITH_NUL), null, accepted.getRef()));
    assertEquals(jobId, accepted.receiveMessage().getValue().jobId());

    JobStatus failed = awaitStatus(supervisor, status -> status.phase() == JobPhase.FAILED);

    assertTrue(failed.reason().contains("SQLState 22"), failed::toString);
    assertTrue(failed.reason().contains("counted"), failed::toString);
    assertEquals(1, callSource.queriesSent(), "the refused count was sent once, not retried");
    assertEquals(1, leases.get());
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    assertTrue(events.stream().noneMatch(JobStarted.class::isInstance), events::toString);
  }

  @Test
  void aPageQueryThePrimaryRefusesFailsTheJobAfterOneAttempt() {
    JobRuntime runtime = runtimeOn(settings.primary());
    String jobId = startedBefore(specFor(TENANT_WITH_NUL));

    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    JobStatus failed = awaitStatus(supervisor, status -> status.phase() == JobPhase.FAILED);

    assertTrue(failed.reason().contains("SQLState 22"), failed::toString);
    // The job's first query for its calls looks up where its first block of ids begins.
    assertTrue(failed.reason().contains("finding the next call after 0"), failed::toString);
    assertEquals(1, callSource.queriesSent(), "the refused page query was sent once, not retried");
    assertEquals(1, leases.get());
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    assertTrue(events.get(events.size() - 1) instanceof JobFailed, events::toString);
  }

  @Test
  void aPrimaryThatIsDownWhileTheJobCountsItsCallsStallsItAndNeverFailsIt() {
    JobRuntime runtime = runtimeOn(closedPort(settings.primary()));
    String jobId = UUID.randomUUID().toString();
    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    TestProbe<StatusReply<JobSupervisor.Accepted>> accepted = testKit.createTestProbe();
    supervisor.tell(new JobSupervisor.Submit(specFor("acme"), null, accepted.getRef()));
    assertEquals(jobId, accepted.receiveMessage().getValue().jobId());

    // Asked a third time: the first two failures were retried, not taken for the job's end.
    JobStatus stalled = awaitStatus(supervisor, status -> stalledAfter(status, 3));

    assertTrue(stalled.reason().contains("cannot be counted"), stalled::toString);
    assertNeverFailed(jobId);
    cancel(supervisor);
  }

  @Test
  void aPrimaryThatIsDownWhileTheJobReadsPagesStallsItAndNeverFailsIt() {
    JobRuntime runtime = runtimeOn(closedPort(settings.primary()));
    String jobId = startedBefore(specFor("acme"));

    var supervisor = testKit.spawn(JobSupervisor.create(jobId, shardProbe(), runtime));
    JobStatus stalled = awaitStatus(supervisor, status -> stalledAfter(status, 3));

    assertTrue(stalled.reason().contains("the primary does not answer"), stalled::toString);
    assertNeverFailed(jobId);
    cancel(supervisor);
  }

  private static void assertNeverFailed(String jobId) {
    List<Object> events = journal.persistedInStorage(persistenceId(jobId));
    assertTrue(events.stream().noneMatch(JobFailed.class::isInstance), events::toString);
  }

  private static JobSpec specFor(String tenant) {
    return new JobSpec("talk-ratio", 1, tenant, null, null, Map.of());
  }

  private JobRuntime runtimeOn(PrimarySettings primary) {
    connections = new PrimaryConnections(primary, governorSettings.connectionIdleTimeout());
    callSource = new PrimaryCallSource(primary, ForkJoinPool.commonPool(), connections);
    // No outcome ledger: these jobs never re-drive failed calls, the only use a job makes of it.
    return new JobRuntime(
        settings, callSource, new GovernedPrimary(governor, testKit.system(), governorSettings.askTimeout()), null);
  }

  /** The same primary settings on a port where nothing listens: every connection is refused. */
  private static PrimarySettings closedPort(PrimarySettings primary) {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PrimarySettings(
        "jdbc:postgresql://127.0.0.1:" + port + "/calls",
        primary.user(),
        primary.password(),
        primary.applicationName(),
        primary.pageSize(),
        primary.targetBurstMillis(),
        primary.queryTimeout());
  }

  /** A job journaled as started, its scope fixed, before this test's supervisor recovers it. */
  private static String startedBefore(JobSpec spec) {
    String jobId = UUID.randomUUID().toString();
    journal.persistForRecovery(
        persistenceId(jobId),
        List.of(new JobSubmitted(spec, null, LONG_AGO), new JobStarted(5, 5L, LONG_AGO)));
    return jobId;
  }

  /** STALLED on the primary, which did not answer {@code attempts} or more attempts in a row. */
  private static boolean stalledAfter(JobStatus status, int attempts) {
    if (status.phase() != JobPhase.STALLED || status.reason() == null) {
      return false;
    }
    Matcher attempt = ATTEMPT.matcher(status.reason());
    return attempt.find() && Integer.parseInt(attempt.group(1)) >= attempts;
  }

  /** The job's status once {@code wanted} holds, or once it has finished (so a failure shows at once). */
  private static JobStatus awaitStatus(ActorRef<JobSupervisor.Command> supervisor, Predicate<JobStatus> wanted) {
    TestProbe<JobStatus> probe = testKit.createTestProbe();
    JobStatus status =
        probe.awaitAssert(
            Duration.ofSeconds(30),
            Duration.ofMillis(100),
            () -> {
              supervisor.tell(new JobSupervisor.GetStatus(probe.getRef()));
              JobStatus answer = probe.receiveMessage();
              JobPhase phase = answer.phase();
              boolean finished =
                  phase == JobPhase.COMPLETED || phase == JobPhase.FAILED || phase == JobPhase.CANCELLED;
              assertTrue(wanted.test(answer) || finished, answer::toString);
              return answer;
            });
    assertTrue(wanted.test(status), status::toString);
    return status;
  }

  private static void cancel(ActorRef<JobSupervisor.Command> supervisor) {
    TestProbe<StatusReply<JobStatus>> reply = testKit.createTestProbe();
    supervisor.tell(new JobSupervisor.Control(JobSupervisor.Action.CANCEL, reply.getRef()));
    assertEquals(JobPhase.CANCELLED, reply.receiveMessage().getValue().phase());
  }

  private static ActorRef<ClusterSharding.ShardCommand> shardProbe() {
    return testKit.<ClusterSharding.ShardCommand>createTestProbe().getRef();
  }

  private static String persistenceId(String jobId) {
    return PersistenceId.of(JobSupervisor.ENTITY_TYPE_KEY.name(), jobId).id();
  }

  /** Grants every lease at once, on slot 0, and counts them. */
  private static Behavior<Governor.Command> countingGovernor(AtomicInteger leases) {
    return Behaviors.receive(Governor.Command.class)
        .onMessage(
            Governor.AcquireLease.class,
            lease -> {
              leases.incrementAndGet();
              lease.replyTo().tell(new Governor.LeaseGranted(UUID.randomUUID().toString(), 0, lease.rows()));
              return Behaviors.same();
            })
        .onAnyMessage(message -> Behaviors.same())
        .build();
  }
}
