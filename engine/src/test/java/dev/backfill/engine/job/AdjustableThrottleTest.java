package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AdjustableThrottleTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "AdjustableThrottleTest",
          com.typesafe.config.ConfigFactory.parseString("pekko.actor.provider = local"));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void anUnlimitedRateLetsEveryElementThroughInOrder() throws Exception {
    List<Integer> out =
        Source.range(1, 500)
            .via(new AdjustableThrottle<Integer>(() -> Double.POSITIVE_INFINITY))
            .runWith(Sink.seq(), testKit.system())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    assertEquals(IntStream.rangeClosed(1, 500).boxed().toList(), out);
  }

  @Test
  void aRateOfZeroHoldsTheStreamUntilTheRateIsRaisedWhileItRuns() {
    AtomicReference<Double> rate = new AtomicReference<>(0.0);
    TestProbe<Integer> probe = testKit.createTestProbe();

    Source.range(1, 50)
        .via(new AdjustableThrottle<Integer>(rate::get))
        .runWith(Sink.foreach(probe.getRef()::tell), testKit.system());

    // The bucket starts with one token and lets a request through while it is not in debt, so
    // the first two pass; after that nothing, at rate 0.
    assertEquals(1, probe.receiveMessage(Duration.ofSeconds(5)));
    assertEquals(2, probe.receiveMessage(Duration.ofSeconds(5)));
    probe.expectNoMessage(Duration.ofMillis(400));

    rate.set(1_000_000.0);
    for (int expected = 3; expected <= 50; expected++) {
      assertEquals(expected, probe.receiveMessage(Duration.ofSeconds(5)));
    }
  }
}
