package dev.backfill.engine.threads;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds something that starts threads of its own (the Cassandra driver's event loops, admin and
 * timer threads) on a thread under SCHED_IDLE, so that every thread it starts inherits the policy.
 */
public final class BackgroundThread {

  private static final Logger log = LoggerFactory.getLogger(BackgroundThread.class);

  private BackgroundThread() {}

  /**
   * Runs {@code work} on a new thread that first puts itself under SCHED_IDLE, and waits for it.
   * Should it fail to (no chrt), the work runs at normal priority all the same, and the log says
   * so; the work's exceptions reach the caller unwrapped.
   */
  public static <T> T call(String name, Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                String failure = ThreadPolicy.demoteCurrentThread();
                if (failure != null) {
                  log.warn("{} and the threads it starts run at normal CPU priority, not in the background: {}", name, failure);
                }
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
