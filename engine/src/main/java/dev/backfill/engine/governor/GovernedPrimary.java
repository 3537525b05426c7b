package dev.backfill.engine.governor;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.Patterns;

/**
 * The only way into the primary database: runs a query under a lease from the governor, waiting
 * (and saying why) for as long as the governor holds the job back, and reports the query's cost
 * when it is done.
 */
public final class GovernedPrimary {

  /** Who asks, and with what claim on the rate; read afresh for every lease. */
  public record Claim(String jobId, double weight, Double maxRowsPerSecond) {}

  /** A query run under a lease: on this node's connection for {@code slot}, reading at most {@code rows} rows. */
  @FunctionalInterface
  public interface LeasedQuery<T> {
    CompletionStage<T> run(int slot, int rows);
  }

  private static final Duration RETRY_WHEN_UNREACHABLE = Duration.ofSeconds(1);

  private final ActorRef<Governor.Command> governor;
  private final ActorSystem<?> system;
  private final Duration askTimeout;
  /** This node, as the holder of the connections it opens for its leases. */
  private final String holder;

  public GovernedPrimary(ActorRef<Governor.Command> governor, ActorSystem<?> system, Duration askTimeout) {
    this.governor = governor;
    this.system = system;
    this.askTimeout = askTimeout;
    this.holder = system.address().toString();
  }

  /**
   * Runs {@code query} once a lease for {@code rows} rows is granted. {@code heldBack} hears the
   * reason each time the governor refuses, and null once a lease is granted.
   */
  public <T> CompletionStage<T> underLease(
      Supplier<Claim> claim,
      int rows,
      LeasedQuery<T> query,
      ToIntFunction<T> rowsRead,
      Consumer<String> heldBack) {
    Claim current = claim.get();
    return AskPattern.<Governor.Command, Governor.LeaseReply>ask(
            governor,
            replyTo ->
                new Governor.AcquireLease(
                    current.jobId(), current.weight(), current.maxRowsPerSecond(), rows, holder, replyTo),
            askTimeout,
            system.scheduler())
        .handle(
            (reply, failure) -> {
              if (failure != null) {
                heldBack.accept("the governor does not answer (it may be moving to another node)");
                return later(RETRY_WHEN_UNREACHABLE, () -> underLease(claim, rows, query, rowsRead, heldBack));
              }
              if (reply instanceof Governor.LeaseDenied denied) {
                heldBack.accept(denied.reason());
                return later(denied.retryAfter(), () -> underLease(claim, rows, query, rowsRead, heldBack));
              }
              heldBack.accept(null);
              return run((Governor.LeaseGranted) reply, query, rowsRead);
            })
        .thenCompose(stage -> stage);
  }

  private <T> CompletionStage<T> run(
      Governor.LeaseGranted lease, LeasedQuery<T> query, ToIntFunction<T> rowsRead) {
    long start = System.nanoTime();
    CompletionStage<T> result;
    try {
      result = query.run(lease.slot(), lease.rows());
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.whenComplete(
        (value, failure) ->
            governor.tell(
                new Governor.ReleaseLease(
                    lease.leaseId(),
                    value == null ? 0 : rowsRead.applyAsInt(value),
                    (System.nanoTime() - start) / 1_000)));
  }

  private <T> CompletionStage<T> later(Duration delay, Supplier<CompletionStage<T>> next) {
    return Patterns.after(
        delay.isNegative() ? Duration.ZERO : delay,
        system.classicSystem().scheduler(),
        system.executionContext(),
        next::get);
  }
}
