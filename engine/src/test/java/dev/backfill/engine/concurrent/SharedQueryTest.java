package dev.backfill.engine.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SharedQueryTest {

  /** Queries the test answers by hand, in the order they were started. */
  private final List<CompletableFuture<String>> started = new ArrayList<>();
  private final SharedQuery<String> shared = new SharedQuery<>(recordingInto(started), Duration.ofSeconds(30));

  /** Queries that stay unanswered until the test answers them, each added to {@code started}. */
  private static Supplier<CompletionStage<String>> recordingInto(List<CompletableFuture<String>> started) {
    return () -> {
      CompletableFuture<String> query = new CompletableFuture<>();
      started.add(query);
      return query;
    };
  }

  @Test
  void aloneItRunsAQueryOfItsOwn() throws Exception {
    CompletionStage<String> answer = shared.get();
    assertEquals(1, started.size());
    started.get(0).complete("a");
    assertEquals("a", answer.toCompletableFuture().get());
    shared.get();
    assertEquals(2, started.size(), "once a query has ended, the next asker starts another");
  }

  @Test
  void thoseWhoAskWhileOneRunsShareTheNextAndNeverItsOlderResult() throws Exception {
    CompletableFuture<String> first = shared.get().toCompletableFuture();
    List<CompletableFuture<String>> crowd = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      crowd.add(shared.get().toCompletableFuture());
    }
    assertEquals(1, started.size(), "no second query while one runs");

    started.get(0).complete("before they asked");
    assertEquals("before they asked", first.get());
    assertEquals(2, started.size(), "the next query starts as the running one ends");
    for (CompletableFuture<String> waiting : crowd) {
      assertFalse(waiting.isDone(), "a query started before they asked must not answer them");
    }

    started.get(1).complete("after they asked");
    for (CompletableFuture<String> waiting : crowd) {
      assertEquals("after they asked", waiting.get());
    }
    assertEquals(2, started.size(), "nobody else asked: no third query");
  }

  @Test
  void aFailedQueryFailsItsAskersAndTheNextStillRuns() throws Exception {
    CompletableFuture<String> first = shared.get().toCompletableFuture();
    CompletableFuture<String> second = shared.get().toCompletableFuture();
    started.get(0).completeExceptionally(new IllegalStateException("journal down"));

    ExecutionException failed = assertThrows(ExecutionException.class, first::get);
    assertTrue(failed.getCause() instanceof IllegalStateException);
    assertEquals(2, started.size());
    started.get(1).complete("back");
    assertEquals("back", second.get());
  }

  @Test
  void aQueryThatThrowsInsteadOfStartingFailsItsAskerAndFreesTheNext() throws Exception {
    boolean[] thrown = {false};
    SharedQuery<String> throwsOnce =
        new SharedQuery<>(
            () -> {
              if (!thrown[0]) {
                thrown[0] = true;
                throw new IllegalStateException("no journal yet");
              }
              return CompletableFuture.completedFuture("ok");
            },
            Duration.ofSeconds(30));
    assertTrue(throwsOnce.get().toCompletableFuture().isCompletedExceptionally());
    CompletionStage<String> again = throwsOnce.get();
    assertSame("ok", again.toCompletableFuture().get());
  }

  @Test
  void aQueryThatNeverAnswersFailsAfterItsPatienceAndFreesTheNext() throws Exception {
    // The timeout fires on another thread, which then starts the next query: the test hears of
    // that start instead of assuming it has happened by the time the first asker is answered.
    CompletableFuture<CompletableFuture<String>> nextStarted = new CompletableFuture<>();
    boolean[] firstStarted = {false};
    SharedQuery<String> impatient =
        new SharedQuery<>(
            () -> {
              CompletableFuture<String> query = new CompletableFuture<>();
              if (firstStarted[0]) {
                nextStarted.complete(query);
              }
              firstStarted[0] = true;
              return query;
            },
            Duration.ofMillis(50));
    CompletableFuture<String> stuck = impatient.get().toCompletableFuture();
    CompletableFuture<String> behind = impatient.get().toCompletableFuture();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> stuck.get(5, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof TimeoutException, failed.toString());
    nextStarted.get(5, TimeUnit.SECONDS).complete("the next one");
    assertEquals("the next one", behind.get(5, TimeUnit.SECONDS));
  }

  @Test
  void oneCallerCancellingLeavesTheOthersTheirAnswer() throws Exception {
    shared.get();
    CompletableFuture<String> cancelled = shared.get().toCompletableFuture();
    CompletableFuture<String> patient = shared.get().toCompletableFuture();
    cancelled.cancel(true);
    started.get(0).complete("first");
    started.get(1).complete("second");
    assertEquals("second", patient.get());
  }
}
