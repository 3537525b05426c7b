package dev.backfill.engine.job;

import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.source.Page;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.protocol.call.CallRow;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A query for a job's calls under a lease from the governor (waiting, and saying why, for as long
 * as it holds the job back), retried with backoff while the primary does not answer: the job
 * stalls, saying why, and goes on by itself. It stops once {@code stopped} says so (then it fails
 * with a CancellationException, having neither asked for another lease nor run another query). A
 * query the primary refuses for good is not sent again: it fails at once with the refusal ({@link
 * PrimaryCallSource#refusal}).
 */
final class LeasedReads {

  /**
   * The longest wait between two attempts while the primary does not answer. A job has several
   * readers and a lookup retrying at once, and the slowest of them holds its checkpoints: at 15 s
   * a job checkpointed again 16.8 s after a 30 s outage of the primary ended (`./backfill chaos`,
   * 2026-11-30 19:04 UTC), 7.4-8.6 s with one reader before. A failed connection attempt every
   * 5 s per reader costs the primary nothing.
   */
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private LeasedReads() {}

  static CompletionStage<List<CallRow>> read(
      GovernedPrimary primary,
      Supplier<GovernedPrimary.Claim> claim,
      int rows,
      GovernedPrimary.LeasedQuery<Page> query,
      Consumer<String> heldBack,
      Consumer<String> stalled,
      BooleanSupplier stopped,
      ActorSystem<?> system) {
    return read(
            primary,
            claim,
            rows,
            query,
            page -> new GovernedPrimary.Cost(page.calls().size(), page.queryMicros()),
            heldBack,
            stalled,
            stopped,
            system)
        .thenApply(Page::calls);
  }

  /** As the other, for any query: {@code costOf} says what it cost the primary. */
  static <T> CompletionStage<T> read(
      GovernedPrimary primary,
      Supplier<GovernedPrimary.Claim> claim,
      int rows,
      GovernedPrimary.LeasedQuery<T> query,
      Function<T, GovernedPrimary.Cost> costOf,
      Consumer<String> heldBack,
      Consumer<String> stalled,
      BooleanSupplier stopped,
      ActorSystem<?> system) {
    return Retries.untilSuccess(
            () -> primary.underLease(claim, rows, query, costOf, heldBack, stopped),
            Duration.ofMillis(500),
            MAX_BACKOFF,
            (attempt, failure) ->
                stalled.accept(
                    "the primary does not answer (attempt " + attempt + "): " + JobFailures.rootMessage(failure)),
            stopped,
            PrimaryCallSource::isPermanent,
            system)
        .thenApply(
            result -> {
              stalled.accept(null);
              return result;
            });
  }
}
