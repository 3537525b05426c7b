package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.backfill.engine.testing.LocalActorConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries go on through passing failures and stop at once on one the caller calls permanent. */
@ExtendWith(LogCapturingExtension.class)
class RetriesTest {

  private static final Predicate<Throwable> REFUSED = RetriesTest::refused;

  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("RetriesTest", LocalActorConfig.with(""));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aPermanentFailureIsNeitherRetriedNorReported() {
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> reported = new CopyOnWriteArrayList<>();
    IllegalArgumentException refusal = new IllegalArgumentException("refused for good");

    CompletionStage<String> result =
        Retries.untilSuccess(
            () -> {
              attempts.incrementAndGet();
              return CompletableFuture.<String>failedFuture(refusal);
            },
            Duration.ofMillis(1),
            Duration.ofMillis(10),
            (attempt, failure) -> reported.add(attempt),
            () -> false,
            REFUSED,
            testKit.system());

    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> result.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertSame(refusal, failed.getCause());
    assertEquals(1, attempts.get());
    assertEquals(List.of(), reported);
  }

  @Test
  void anyOtherFailureIsReportedAndRetriedUntilItPasses() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    List<Integer> reported = new CopyOnWriteArrayList<>();

    CompletionStage<String> result =
        Retries.untilSuccess(
            () ->
                attempts.incrementAndGet() < 3
                    ? CompletableFuture.<String>failedFuture(new IllegalStateException("down for now"))
                    : CompletableFuture.completedFuture("read"),
            Duration.ofMillis(1),
            Duration.ofMillis(10),
            (attempt, failure) -> reported.add(attempt),
            () -> false,
            REFUSED,
            testKit.system());

    assertEquals("read", result.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(3, attempts.get());
    assertEquals(List.of(1, 2), reported);
  }

  private static boolean refused(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalArgumentException) {
        return true;
      }
    }
    return false;
  }
}
