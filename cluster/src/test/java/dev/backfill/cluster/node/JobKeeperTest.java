package dev.backfill.cluster.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.job.JobStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job keeper asks each job again only once its previous ask was answered or timed out, however
 * often it ticks: asks to jobs whose shard is not placed would otherwise pile up. No journal and
 * no shards: the job list and the asks are fakes whose answers the test gives. One node, never
 * joined: the keeper only subscribes to removals, which this test does not make.
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
                jobId -> {
                  CompletableFuture<JobStatus> answer = new CompletableFuture<>();
                  answers.put(jobId, answer);
                  asked.getRef().tell(jobId);
                  return answer;
                },
                Duration.ofMillis(20)));

    assertEquals(Set.of("job-a", "job-b"), Set.copyOf(asked.receiveSeveralMessages(2)));
    // Some fifteen ticks while both asks are out: neither job is asked again.
    asked.expectNoMessage(Duration.ofMillis(300));

    answers.get("job-a").completeExceptionally(new TimeoutException("the ask timed out"));

    assertEquals("job-a", asked.receiveMessage(Duration.ofSeconds(5)));
    asked.expectNoMessage(Duration.ofMillis(300));
    testKit.stop(keeper);
  }
}
