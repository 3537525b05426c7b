package dev.backfill.engine.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The answer of a Pekko ask, made safe to chain on.
 *
 * <p>Pekko's Java asks answer with Scala's CompletableFuture, which runs even the callbacks of
 * {@code thenApply}, {@code handle} and {@code whenComplete} on the JVM's default executor, so
 * that no callback can hold up whoever completed it. That executor is the common ForkJoinPool,
 * except where the common pool has fewer than two threads, on a machine with two cores or fewer:
 * there every callback starts a thread of its own. With one ask per call that was a thread
 * started and torn down per call: most of a node's CPU (JFR, 2026-11-30: 9,296 threads in the
 * first minute of a backfill).
 *
 * <p>{@link #of} hands the answer on from the thread that completes it (an actor delivering a
 * reply; the callbacks chained here are short), so no thread is started and none is switched to.
 */
public final class OnCompletingThread {

  private static final Executor DIRECT = Runnable::run;

  private OnCompletingThread() {}

  /**
   * A future of the caller's own, completed as {@code answer} is, whose callbacks run on the thread
   * that completes it. The caller may complete it first (then the answer is ignored when it comes).
   */
  public static <T> CompletableFuture<T> of(CompletionStage<T> answer) {
    CompletableFuture<T> handedOn = new CompletableFuture<>();
    answer.whenCompleteAsync(
        (value, failure) -> {
          if (failure != null) {
            handedOn.completeExceptionally(failure);
          } else {
            handedOn.complete(value);
          }
        },
        DIRECT);
    return handedOn;
  }
}
