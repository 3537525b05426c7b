package dev.backfill.engine.concurrent;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A query that runs at most once at a time however many ask for it, and never answers anyone with
 * a result older than their question.
 *
 * <p>Whoever asks while no query runs starts one. Whoever asks while one runs waits for the next,
 * which starts when the running one ends and answers everyone who asked meanwhile: that query
 * started after each of them asked, so each sees everything that was there when they asked (what
 * the running one, started earlier, might miss). So a crowd of askers costs at most one query in
 * flight and one waiting, where each of them used to start its own, and none gets a stale answer.
 *
 * <p>A query that has not answered within its patience fails, so that one stuck on a dead
 * connection does not hold every later asker with it; the next one starts then.
 */
public final class SharedQuery<T> {

  private final Supplier<? extends CompletionStage<T>> query;
  private final Duration patience;
  private final Object lock = new Object();
  private boolean running;
  /** The answer of the next query, for those who asked while one ran; null when nobody did. */
  private CompletableFuture<T> next;

  public SharedQuery(Supplier<? extends CompletionStage<T>> query, Duration patience) {
    this.query = query;
    this.patience = patience;
  }

  /**
   * The result of a query started no earlier than this call; each caller gets a future of its own,
   * so that none can complete or cancel another's.
   */
  public CompletionStage<T> get() {
    CompletableFuture<T> answer;
    synchronized (lock) {
      if (running) {
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next.copy();
      }
      running = true;
      answer = new CompletableFuture<>();
    }
    run(answer);
    return answer.copy();
  }

  private void run(CompletableFuture<T> answer) {
    CompletionStage<T> result;
    try {
      result = query.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    OnCompletingThread.of(result)
        .orTimeout(patience.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (value, failure) -> {
              CompletableFuture<T> waiting;
              synchronized (lock) {
                waiting = next;
                next = null;
                running = waiting != null;
              }
              if (failure != null) {
                answer.completeExceptionally(failure);
              } else {
                answer.complete(value);
              }
              if (waiting != null) {
                run(waiting);
              }
            });
  }
}
