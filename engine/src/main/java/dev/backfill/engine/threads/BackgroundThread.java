package dev.backfill.engine.threads;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds something that starts threads of its own (the Cassandra driver's event loops, admin and
 * timer threads) on a thread under SCHED_IDLE, so that every thread it starts inherits the policy.
 */
public final class BackgroundThread {

  private BackgroundThread() {}

  /**
   * Runs {@code work} on a new thread that first puts itself under SCHED_IDLE, and waits for it.
   * Should it fail to (no chrt), the work runs at the caller's priority all the same; its
   * exceptions reach the caller unwrapped.
   *
   * @param reason of a failure to demote the thread, or null, for the caller's log
   */
  public static <T> T call(String name, Supplier<T> work, Consumer<String> reason) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                reason.accept(ThreadPolicy.demoteCurrentThread());
                result.complete(work.get());
              } catch (Throwable e) {
                result.completeExceptionally(e);
              }
            },
            name);
    thread.start();
    try {
      return result.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
