package dev.backfill.engine.governor;

import dev.backfill.engine.concurrent.OnCompletingThread;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntPredicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.Patterns;

/**
 * The only way into the primary database: runs a query under a lease from the governor, waiting
 * (and saying why) for as long as the governor holds the job back, and reports the query's cost
 * when it is done. A caller that no longer wants the query (a paused, cancelled or handed-off job)
 * says so through its {@code stopped} flag: from then on no lease is asked for and no query runs,
 * so the job stops claiming its share and the governor forgets it once it has not asked for a
 * while.
 */
public final class GovernedPrimary {

  /** Who asks, and with what claim on the rate; read afresh for every lease. */
  public record Claim(String jobId, double weight, Double maxRowsPerSecond) {}

  /**
   * What a finished query cost: the rows it read (0 for a query that is not a page, such as a
   * count, so that it does not teach the page sizer) and how long it ran on the primary in
   * microseconds, or -1 to use the time measured around it.
   */
  public record Cost(int rows, long queryMicros) {}

  /**
   * A query run under a lease: on this node's connection for {@code slot}, reading at most {@code
   * rows} rows. Its stage must complete only once the query is done with the connection: the
   * lease is then handed back, and the connection may be closed for the next node.
   */
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
  /** Closes this node's connection for a slot; true when none is left open for it. */
  private final IntPredicate closeSlot;

  /**
   * Leases whose slot another node waits for are given back with their connection left open: the
   * slot goes to that node only after the governor's whole handover (for tests of the lease flow).
   */
  public GovernedPrimary(ActorRef<Governor.Command> governor, ActorSystem<?> system, Duration askTimeout) {
    this(governor, system, askTimeout, slot -> false);
  }

  /**
   * {@code closeSlot} closes this node's connection for a slot (see PrimaryConnections#closeSlot),
   * answering true when none is left open for it: done after a lease's query when the governor
   * says another node waits for the slot, so that the slot is handed over almost at once.
   */
  public GovernedPrimary(
      ActorRef<Governor.Command> governor, ActorSystem<?> system, Duration askTimeout, IntPredicate closeSlot) {
    this.governor = governor;
    this.system = system;
    this.askTimeout = askTimeout;
    this.holder = system.address().toString();
    this.closeSlot = closeSlot;
  }

  /**
   * Runs {@code query} once a lease for {@code rows} rows is granted. {@code heldBack} hears the
   * reason each time the governor refuses, and null once a lease is granted. {@code stopped} is
   * read before every lease request and again when a lease is granted: once it is true the stage
   * fails with a {@link CancellationException}, without asking again and without running the
   * query (a lease granted meanwhile is handed back unused).
   */
  public <T> CompletionStage<T> underLease(
      Supplier<Claim> claim,
      int rows,
      LeasedQuery<T> query,
      Function<T, Cost> costOf,
      Consumer<String> heldBack,
      BooleanSupplier stopped) {
    if (stopped.getAsBoolean()) {
      return cancelled("stopped before asking the governor for a lease");
    }
    Claim current = claim.get();
    String leaseId = UUID.randomUUID().toString();
    return OnCompletingThread.of(
            AskPattern.<Governor.Command, Governor.LeaseReply>ask(
                governor,
                replyTo ->
                    new Governor.AcquireLease(
                        current.jobId(), current.weight(), current.maxRowsPerSecond(), rows, holder, leaseId, replyTo),
                askTimeout,
                system.scheduler()))
        .handle(
            (reply, failure) -> {
              if (failure != null) {
                // The ask may still reach the governor, late (it was moving, or paused): a lease
                // granted then would hold a query slot that nobody uses until its time to live
                // (a minute) is up. Handed back now; for a lease never granted this does nothing.
                governor.tell(new Governor.ReleaseLease(leaseId, 0, 0));
              }
              if (stopped.getAsBoolean()) {
                if (reply instanceof Governor.LeaseGranted unused) {
                  // No rows read and no time spent: it teaches the page sizer nothing.
                  release(unused, 0, 0);
                }
                return GovernedPrimary.<T>cancelled("stopped while waiting for a lease: the query does not run");
              }
              if (failure != null) {
                heldBack.accept("the governor does not answer (it may be moving to another node)");
                return later(
                    RETRY_WHEN_UNREACHABLE, () -> underLease(claim, rows, query, costOf, heldBack, stopped));
              }
              if (reply instanceof Governor.LeaseDenied denied) {
                heldBack.accept(denied.reason());
                return later(
                    denied.retryAfter(), () -> underLease(claim, rows, query, costOf, heldBack, stopped));
              }
              heldBack.accept(null);
              return run((Governor.LeaseGranted) reply, query, costOf);
            })
        .thenCompose(stage -> stage);
  }

  private static <T> CompletionStage<T> cancelled(String why) {
    return CompletableFuture.failedFuture(new CancellationException(why));
  }

  private <T> CompletionStage<T> run(
      Governor.LeaseGranted lease, LeasedQuery<T> query, Function<T, Cost> costOf) {
    long start = System.nanoTime();
    CompletionStage<T> result;
    try {
      result = query.run(lease.slot(), lease.rows());
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.whenComplete(
        (value, failure) -> {
          long aroundMicros = (System.nanoTime() - start) / 1_000;
          Cost cost = value == null ? new Cost(0, aroundMicros) : costOf.apply(value);
          long micros = cost.queryMicros() < 0 ? aroundMicros : cost.queryMicros();
          release(lease, cost.rows(), micros);
        });
  }

  /**
   * Hands a lease back; when its slot is wanted by another node ({@code closeAfter}), closes this
   * node's connection for it first and says so. Called once the query's stage is complete, which
   * is after its connection was given back ({@link LeasedQuery}). A close that fails leaves the
   * connection to the idle sweep and the slot to the whole handover: the release still goes out.
   */
  private void release(Governor.LeaseGranted lease, int rows, long micros) {
    boolean closed = lease.closeAfter() && closed(lease.slot());
    governor.tell(new Governor.ReleaseLease(lease.leaseId(), rows, micros, closed));
  }

  /** Closes this node's connection for {@code slot}; true when none is left open for it. */
  private boolean closed(int slot) {
    try {
      return closeSlot.test(slot);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private <T> CompletionStage<T> later(Duration delay, Supplier<CompletionStage<T>> next) {
    // A plain CompletableFuture (unlike an ask's answer): its callbacks need no hand-over.
    return Patterns.after(
        delay.isNegative() ? Duration.ZERO : delay,
        system.classicSystem().scheduler(),
        system.executionContext(),
        next::get);
  }
}
