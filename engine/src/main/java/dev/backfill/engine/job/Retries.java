package dev.backfill.engine.job;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.pattern.Patterns;

/**
 * Retries for the transient failures of a job's stores (a timeout, a store that is down): they
 * never give up, since giving up would either lose the call or fail a whole backfill over an
 * outage that ends by itself; instead they back off exponentially, with jitter so that many
 * waiting calls do not return at the same instant, and tell the caller about every failure so the
 * job can show why it is waiting. They stop only when their caller no longer wants the result (a
 * paused, cancelled or handed-off job): then no further attempt is made; or on a failure that the
 * caller says is permanent (the same request would fail the same way, such as a query the primary
 * refuses), which it must then treat as the end of whatever it was doing, not as an outage.
 */
final class Retries {

  private Retries() {}

  /**
   * @param onFailure hears each failure with its attempt number (1 for the first)
   */
  static <T> CompletionStage<T> untilSuccess(
      Supplier<CompletionStage<T>> attempt,
      Duration minBackoff,
      Duration maxBackoff,
      BiConsumer<Integer, Throwable> onFailure,
      ActorSystem<?> system) {
    return untilSuccess(attempt, minBackoff, maxBackoff, onFailure, () -> false, system);
  }

  /**
   * As {@link #untilSuccess(Supplier, Duration, Duration, BiConsumer, ActorSystem)}, until
   * {@code stopped} says the result is no longer wanted: it is read before every attempt, and a
   * failure after it was set is neither reported nor retried. The stage then fails with a {@link
   * CancellationException} (or the last attempt's failure).
   */
  static <T> CompletionStage<T> untilSuccess(
      Supplier<CompletionStage<T>> attempt,
      Duration minBackoff,
      Duration maxBackoff,
      BiConsumer<Integer, Throwable> onFailure,
      BooleanSupplier stopped,
      ActorSystem<?> system) {
    return untilSuccess(attempt, minBackoff, maxBackoff, onFailure, stopped, failure -> false, system);
  }

  /**
   * As {@link #untilSuccess(Supplier, Duration, Duration, BiConsumer, BooleanSupplier,
   * ActorSystem)}, except that a failure {@code permanent} accepts is not retried: the stage fails
   * with it at once, and {@code onFailure} does not hear of it (the caller is not waiting for
   * anything to come back).
   */
  static <T> CompletionStage<T> untilSuccess(
      Supplier<CompletionStage<T>> attempt,
      Duration minBackoff,
      Duration maxBackoff,
      BiConsumer<Integer, Throwable> onFailure,
      BooleanSupplier stopped,
      Predicate<Throwable> permanent,
      ActorSystem<?> system) {
    return run(attempt, 1, minBackoff, maxBackoff, onFailure, stopped, permanent, system);
  }

  private static <T> CompletionStage<T> run(
      Supplier<CompletionStage<T>> attempt,
      int number,
      Duration minBackoff,
      Duration maxBackoff,
      BiConsumer<Integer, Throwable> onFailure,
      BooleanSupplier stopped,
      Predicate<Throwable> permanent,
      ActorSystem<?> system) {
    if (stopped.getAsBoolean()) {
      return CompletableFuture.failedFuture(new CancellationException("stopped before attempt " + number));
    }
    CompletionStage<T> result;
    try {
      result = attempt.get();
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result
        .handle(
            (value, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(value);
              }
              if (stopped.getAsBoolean() || permanent.test(failure)) {
                return CompletableFuture.<T>failedFuture(failure);
              }
              onFailure.accept(number, failure);
              // A plain CompletableFuture (unlike an ask's answer): its callbacks need no hand-over.
              return Patterns.after(
                  delay(number, minBackoff, maxBackoff),
                  system.classicSystem().scheduler(),
                  system.executionContext(),
                  () -> run(attempt, number + 1, minBackoff, maxBackoff, onFailure, stopped, permanent, system));
            })
        .thenCompose(stage -> stage);
  }

  /** min * 2^(n-1), capped at max, then 80-120% of that. */
  static Duration delay(int attempt, Duration min, Duration max) {
    double base = min.toMillis() * Math.pow(2, Math.min(30, attempt - 1));
    double capped = Math.min(base, max.toMillis());
    double jittered = capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble());
    return Duration.ofMillis(Math.max(1, Math.round(jittered)));
  }
}
