package dev.backfill.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.job.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job keeper's one wake-up of the journaled jobs: a job is asked again only once its previous
 * ask failed, however often the keeper retries (asks to jobs whose shard is not placed would
 * otherwise pile up), and once every job has answered the keeper asks nothing more and stops. No
 * journal and no shards: the job list and the asks are fakes whose answers the test gives. One
 * node, never joined: this factory of the keeper wakes the jobs at once, without waiting to be Up
 * and the oldest.
 */
@ExtendWith(LogCapturingExtension.class)
class JobKeeperTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "JobKeeperTest",
          ConfigFactory.parseString(
              "pekko.actor.provider = cluster\n"
                  + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                  + "pekko.remote.artery.canonical.port = 0\n"
                  + "pekko.cluster.seed-nodes = []\n"
                  + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aJobWhoseAskIsStillOutIsNotAskedAgainUntilItIsAnswered() {
    TestProbe<String> asked = testKit.createTestProbe();
    Map<String, CompletableFuture<JobStatus>> answers = new ConcurrentHashMap<>();
    ActorRef<JobKeeper.Command> keeper =
        testKit.spawn(
            JobKeeper.create(
                () -> CompletableFuture.completedFuture(List.of("job-a", "job-b")),
                askedAndHeldOpen(asked, answers),
                Duration.ofMillis(20)));

    assertEquals(Set.of("job-a", "job-b"), Set.copyOf(asked.receiveSeveralMessages(2)));
    // Some fifteen ticks while both asks are out: neither job is asked again.
    asked.expectNoMessage(Duration.ofMillis(300));

    answers.get("job-a").completeExceptionally(new TimeoutException("the ask timed out"));

    assertEquals("job-a", asked.receiveMessage(Duration.ofSeconds(5)));
    asked.expectNoMessage(Duration.ofMillis(300));
    testKit.stop(keeper);
  }

  @Test
  void onceEveryJobHasAnsweredTheKeeperAsksNothingMoreAndStops() {
    TestProbe<String> asked = testKit.createTestProbe();
    Map<String, CompletableFuture<JobStatus>> answers = new ConcurrentHashMap<>();
    AtomicInteger listings = new AtomicInteger();
    ActorRef<JobKeeper.Command> keeper =
        testKit.spawn(
            JobKeeper.create(
                () ->
                    listings.incrementAndGet() == 1
                        ? CompletableFuture.failedFuture(new IllegalStateException("the journal is down"))
                        : CompletableFuture.completedFuture(List.of("job-a", "job-b")),
                askedAndHeldOpen(asked, answers),
                Duration.ofMillis(20)));

    // The first listing fails and is tried again.
    assertEquals(Set.of("job-a", "job-b"), Set.copyOf(asked.receiveSeveralMessages(2)));
    answers.get("job-a").completeExceptionally(new TimeoutException("the ask timed out"));
    assertEquals("job-a", asked.receiveMessage(Duration.ofSeconds(5)));
    answers.get("job-a").complete(JobStatus.unknown("job-a"));
    answers.get("job-b").complete(JobStatus.unknown("job-b"));

    asked.expectTerminated(keeper, Duration.ofSeconds(5));
    assertEquals(2, listings.get(), "listed until it could, then never again");
    asked.expectNoMessage(Duration.ofMillis(100));
  }

  /** Asks that stay open until the test answers them in {@code answers}; each is told to {@code asked}. */
  private static Function<String, CompletionStage<JobStatus>> askedAndHeldOpen(
      TestProbe<String> asked, Map<String, CompletableFuture<JobStatus>> answers) {
    return jobId -> {
      CompletableFuture<JobStatus> answer = new CompletableFuture<>();
      answers.put(jobId, answer);
      asked.getRef().tell(jobId);
      return answer;
    };
  }
}
