package dev.backfill.engine.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OnCompletingThreadTest {

  /**
   * What Scala's CompletableFuture (the answer of a Pekko ask) does: its plain callbacks run on
   * the default executor, never on the thread that completes it.
   */
  private static final class AlwaysAsync<T> extends CompletableFuture<T> {
    @Override
    public <U> CompletableFuture<U> thenApply(Function<? super T, ? extends U> fn) {
      return thenApplyAsync(fn);
    }

    @Override
    public CompletableFuture<T> whenComplete(BiConsumer<? super T, ? super Throwable> action) {
      return whenCompleteAsync(action);
    }
  }

  @Test
  void chainedCallbacksRunOnTheThreadThatCompletesTheAnswer() throws Exception {
    AlwaysAsync<String> answer = new AlwaysAsync<>();
    CompletableFuture<Thread> ranOn =
        OnCompletingThread.of(answer).thenApply(value -> Thread.currentThread()).toCompletableFuture();

    Thread completer = new Thread(() -> answer.complete("answer"), "completer");
    completer.start();
    completer.join();

    assertSame(completer, ranOn.get(10, TimeUnit.SECONDS));
  }

  @Test
  void withoutItTheSameCallbackRunsElsewhere() throws Exception {
    // The control: the check above would pass for any stage if callbacks ran inline anyway.
    AlwaysAsync<String> answer = new AlwaysAsync<>();
    CompletableFuture<Thread> ranOn = answer.thenApply(value -> Thread.currentThread());

    Thread completer = new Thread(() -> answer.complete("answer"), "completer");
    completer.start();
    completer.join();

    assertTrue(ranOn.get(10, TimeUnit.SECONDS) != completer);
  }

  @Test
  void aFailedAnswerFailsTheStageWithTheSameCause() {
    AlwaysAsync<String> answer = new AlwaysAsync<>();
    CompletionStage<String> handedOn = OnCompletingThread.of(answer);
    IllegalStateException cause = new IllegalStateException("no answer");
    answer.completeExceptionally(cause);

    ExecutionException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> handedOn.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertSame(cause, failed.getCause());
    assertEquals("no answer", failed.getCause().getMessage());
  }
}
