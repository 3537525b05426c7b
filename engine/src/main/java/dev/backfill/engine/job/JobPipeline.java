package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.call.RequestSizeLimit;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.source.Page;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The stream that carries one job's calls from the primary database to the call entities:
 *
 * <pre>
 *   page query (keyset, one per page) -> calls -> ask the call's entity (bounded parallelism,
 *   retried with backoff) -> outcomes, in call-id order -> checkpoint batches -> the supervisor
 * </pre>
 *
 * Outcomes stay in call-id order (mapAsync, not mapAsyncUnordered) so that the last call of every
 * batch is a true low-watermark: every call up to it has finished. Backpressure runs end to end:
 * a new page is read only when the calls of the previous one have been taken up.
 *
 * <p>One instance runs once: {@link Run#stop()} and the end of its stream stop everything it
 * started, including the lease waits and retries that run outside the stream's stages.
 */
final class JobPipeline {

  /** The outcomes of consecutive calls, reported to the supervisor as one checkpoint. */
  record Batch(long watermark, long scanned, long processed, long skipped, long failed) {}

  /** Receives checkpoints; the next batch is not sent before the previous one is acknowledged. */
  interface Checkpoints {
    CompletionStage<Done> record(Batch batch);
  }

  /**
   * A running pipeline and its end. The end fails with {@link CheckpointNotRecorded} (somewhere in
   * its causes) when a checkpoint was not acknowledged: the journal did not take it in time.
   */
  record Run(UniqueKillSwitch calls, AtomicBoolean stopped, CompletionStage<Done> done) {

    /**
     * Stops taking new calls (the calls in flight finish and are checkpointed), and stops reading:
     * a lease wait or a page retry under way gives up before its next request to the governor or
     * the primary, and the page source completes instead of reading another page. So the caller
     * must take the end that follows for a stop, never for the job's completion.
     */
    void stop() {
      calls.shutdown();
      stopped.set(true);
    }
  }

  /** The supervisor did not acknowledge a checkpoint: nothing from this batch on is claimed. */
  static final class CheckpointNotRecorded extends RuntimeException {
    CheckpointNotRecorded(Batch batch, Throwable cause) {
      super(
          "the checkpoint up to call " + batch.watermark() + " was not acknowledged: " + rootMessage(cause),
          cause);
    }
  }

  /** Failed calls re-read per query when re-driving them; about a target page's worth. */
  private static final int RETRY_IDS_PER_QUERY = 25;

  private final String jobId;
  private final JobSpec spec;
  private final JobRuntime runtime;
  private final EngineSettings settings;
  private final Supplier<GovernedPrimary.Claim> claim;
  private final Consumer<String> heldBack;
  private final Consumer<String> stalled;
  private final ClusterSharding sharding;
  private final ActorSystem<?> system;
  /** Set by {@link Run#stop()} or when the stream has ended; read before every lease and retry. */
  private final AtomicBoolean stopped = new AtomicBoolean();

  /**
   * @param claim the job's current claim on the governor's rate (its tuning can change mid-run)
   * @param heldBack hears why the governor holds the job back, and null when it no longer does
   * @param stalled hears why the job waits for a store that does not answer, and null when one of
   *     its calls or pages gets through again
   */
  JobPipeline(
      String jobId,
      JobSpec spec,
      JobRuntime runtime,
      Supplier<GovernedPrimary.Claim> claim,
      Consumer<String> heldBack,
      Consumer<String> stalled,
      ActorSystem<?> system) {
    this.jobId = jobId;
    this.spec = spec;
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.claim = claim;
    this.heldBack = heldBack;
    this.stalled = stalled;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
  }

  /**
   * Runs from just after {@code watermark}; the stage completes when the last call has finished,
   * or when the run was stopped and the calls already taken have finished and been checkpointed.
   */
  Run run(long watermark, long alreadyScanned, Checkpoints checkpoints, Materializer materializer) {
    AtomicLong scanned = new AtomicLong(alreadyScanned);
    var jobs = settings.jobs();
    return started(Source.unfoldAsync(watermark, this::nextPage)
        // Read the next page while the calls of this one are processed, or the pipeline would
        // drain and wait for every page query. Bounded: at most this many pages held ahead.
        .buffer(settings.primary().prefetchPages(), OverflowStrategy.backpressure())
        .map(
            page -> {
              scanned.addAndGet(page.size());
              return page;
            })
        .mapConcat(page -> page)
        .via(new AdjustableThrottle<CallRow>(this::callsPerSecondCap))
        // The switch stops new calls only: calls in flight finish and are checkpointed, so a
        // pause or a hand-off to another node redoes as little as possible.
        .viaMat(KillSwitches.single(), Keep.right())
        .mapAsync(settings.calls().parallelism(), this::processCall)
        .groupedWithin(jobs.checkpointEveryCalls(), jobs.checkpointEvery())
        .map(outcomes -> toBatch(outcomes, scanned.get()))
        .mapAsync(1, batch -> record(checkpoints, batch))
        .toMat(Sink.ignore(), Keep.both())
        .run(materializer));
  }

  private Run started(Pair<UniqueKillSwitch, CompletionStage<Done>> running) {
    // However the stream ends (a stop, a failure, the supervisor's restart), a lease wait or a
    // retry that it left behind ends with it instead of asking the governor on its behalf.
    running.second().whenComplete((done, failure) -> stopped.set(true));
    return new Run(running.first(), stopped, running.second());
  }

  /** A checkpoint not acknowledged ends the run, marked so that the supervisor can tell it apart. */
  private static CompletionStage<Done> record(Checkpoints checkpoints, Batch batch) {
    CompletionStage<Done> recorded;
    try {
      recorded = checkpoints.record(batch);
    } catch (RuntimeException e) {
      recorded = CompletableFuture.failedFuture(e);
    }
    return recorded.handle(
        (done, failure) -> {
          if (failure != null) {
            throw new CheckpointNotRecorded(batch, failure);
          }
          return done;
        });
  }

  /**
   * The page after {@code afterId}, read under a lease from the governor (waiting as long as it
   * holds the job back). A failed query is retried with backoff, each attempt under a new lease,
   * for as long as the primary does not answer: the job stalls, saying why, and goes on by itself.
   * Once the run is stopped there is no next page: the source completes without another query.
   */
  private CompletionStage<Optional<Pair<Long, List<CallRow>>>> nextPage(long afterId) {
    if (stopped.get()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return readCalls(
            settings.primary().pageSize(), (slot, rows) -> runtime.callSource().page(spec, afterId, slot, rows))
        .<Optional<Pair<Long, List<CallRow>>>>thenApply(
            rows ->
                rows.isEmpty()
                    ? Optional.empty()
                    : Optional.of(Pair.create(rows.get(rows.size() - 1).id(), rows)))
        .exceptionally(
            failure -> {
              if (stopped.get()) {
                return Optional.empty();
              }
              throw failure instanceof CompletionException known ? known : new CompletionException(failure);
            });
  }

  /**
   * A query for up to {@code rows} calls under a lease, retried while the primary does not answer,
   * until the run is stopped (then it fails with a CancellationException, having neither asked for
   * another lease nor run another query).
   */
  private CompletionStage<List<CallRow>> readCalls(int rows, GovernedPrimary.LeasedQuery<Page> query) {
    return Retries.untilSuccess(
            () ->
                runtime
                    .primary()
                    .underLease(
                        claim,
                        rows,
                        query,
                        page -> new GovernedPrimary.Cost(page.calls().size(), page.queryMicros()),
                        heldBack,
                        stopped::get)
                    .thenApply(Page::calls),
            Duration.ofMillis(500),
            Duration.ofSeconds(15),
            (attempt, failure) ->
                stalled.accept("the primary does not answer (attempt " + attempt + "): " + rootMessage(failure)),
            stopped::get,
            system)
        .thenApply(
            calls -> {
              stalled.accept(null);
              return calls;
            });
  }

  /**
   * Re-drives the calls that the job's ledger holds as failed, bucket by bucket up to the job's
   * last call: their rows are read again (a page of ids per query, under a lease) and processed
   * again. A call that now succeeds moves from failed to processed in the checkpoints.
   */
  Run runRetryOfFailed(long lastCallId, long scanned, Checkpoints checkpoints, Materializer materializer) {
    var jobs = settings.jobs();
    long lastBucket = OutcomeLedger.bucketOf(lastCallId);
    return started(Source.range(0, (int) lastBucket)
        .mapAsync(1, this::failedCallsIn)
        .mapConcat(ids -> ids)
        // Small groups: a lease sizes a page to a target time, but these ids are read in one query.
        .grouped(Math.min(settings.primary().pageSize(), RETRY_IDS_PER_QUERY))
        .mapAsync(1, this::readByIds)
        .mapConcat(rows -> rows)
        .viaMat(KillSwitches.single(), Keep.right())
        .mapAsync(settings.calls().parallelism(), this::processCall)
        .groupedWithin(jobs.checkpointEveryCalls(), jobs.checkpointEvery())
        .map(outcomes -> toRetryBatch(outcomes, lastCallId, scanned))
        .mapAsync(1, batch -> record(checkpoints, batch))
        .toMat(Sink.ignore(), Keep.both())
        .run(materializer));
  }

  /** The bucket's failed calls, asked again while the ledger does not answer: a store outage stalls. */
  private CompletionStage<List<Long>> failedCallsIn(int bucket) {
    return Retries.untilSuccess(
            () -> runtime.ledger().failedCalls(jobId, bucket),
            Duration.ofMillis(500),
            Duration.ofSeconds(15),
            (attempt, failure) ->
                stalled.accept(
                    "the outcome ledger does not answer (attempt " + attempt + "): " + rootMessage(failure)),
            stopped::get,
            system)
        .thenApply(
            ids -> {
              stalled.accept(null);
              return ids;
            });
  }

  private CompletionStage<List<CallRow>> readByIds(List<Long> ids) {
    return readCalls(ids.size(), (slot, rows) -> runtime.callSource().byIds(ids, slot));
  }

  /** A retried call that ends done or skipped is no longer failed: it moves between the counts. */
  private static Batch toRetryBatch(List<CallOutcome> outcomes, long watermark, long scanned) {
    Batch counted = toBatch(outcomes, scanned);
    return new Batch(
        watermark,
        scanned,
        counted.processed(),
        counted.skipped(),
        -(counted.processed() + counted.skipped()));
  }

  /** The job's own cap, read afresh for every call so that a PATCH takes effect at once. */
  private double callsPerSecondCap() {
    Double cap = claim.get().maxRowsPerSecond();
    return cap == null ? Double.POSITIVE_INFINITY : cap;
  }

  /**
   * Asks the call's entity to process the call, and settles a call that does not get through by
   * one rule, so that one call can neither stop its job for good nor fail over an outage:
   *
   * <ul>
   *   <li>The stores or the cluster are in trouble: the entity answers that a store does not
   *       answer, that it is busy or still working on the request, or neither the ask nor a check
   *       on it ({@link CallEntity.CheckOn}) is answered (its node is down, its shard moving).
   *       Asked again with backoff and jitter, for as long as it takes: after {@code attempts}
   *       tries the job shows STALLED with the reason, and it goes on by itself when the trouble
   *       passes. A transient failure never turns into a lost or failed call.
   *   <li>The trouble is the call's own: its request is too large to send between nodes ({@link
   *       RequestSizeLimit}: failed at once, never sent), or {@code attempts} times in a row its
   *       processing failed for a reason of its own, or its entity answered a check but had never
   *       received the request (lost on the way). The call is recorded FAILED with the reason in
   *       the ledger, here since its entity did not, and the job goes on.
   * </ul>
   *
   * Calls that cannot be analysed come back from the entity as FAILED outcomes, already in the
   * ledger, and are not asked again.
   */
  private CompletionStage<CallOutcome> processCall(CallRow row) {
    var calls = settings.calls();
    var entity = sharding.entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(row.id()));
    CallTries tries = new CallTries(calls.attempts());
    String tooLarge = RequestSizeLimit.get(system).refusal(request(row, 0, system.deadLetters()));
    if (tooLarge != null) {
      tries.giveUp(tooLarge);
    }
    return Retries.untilSuccess(
            () -> tries.verdict() == null ? askEntity(entity, row, tries) : recordFailed(row, tries),
            calls.minBackoff(),
            calls.maxBackoff(),
            (number, failure) -> {
              if (number >= calls.attempts()) {
                stalled.accept(
                    "call " + row.id() + " has no answer after " + number + " attempts: " + rootMessage(failure));
              }
            },
            system)
        .thenApply(
            outcome -> {
              stalled.accept(null);
              return outcome;
            });
  }

  private CallEntity.Process request(CallRow row, int attempt, ActorRef<CallEntity.Answer> replyTo) {
    return new CallEntity.Process(
        jobId, row, spec.processor(), spec.version(), spec.parameters(), attempt, replyTo);
  }

  /** One ask; one that goes unanswered is followed by a check on what became of the request. */
  private CompletionStage<CallOutcome> askEntity(
      EntityRef<CallEntity.Command> entity, CallRow row, CallTries tries) {
    int attempt = tries.nextAttempt();
    return entity
        .<CallEntity.Answer>ask(replyTo -> request(row, attempt, replyTo), settings.calls().askTimeout())
        .exceptionallyCompose(silence -> checkOn(entity, silence))
        .thenCompose(answer -> settle(row, answer, tries));
  }

  /**
   * Whether the entity has the request: the same kind of message, small, sent after the request
   * and so delivered after it if it was delivered at all. No answer to this either: the entity
   * cannot be reached, which is the cluster's trouble, not the call's.
   */
  private CompletionStage<CallEntity.Answer> checkOn(EntityRef<CallEntity.Command> entity, Throwable silence) {
    return entity
        .<CallEntity.Answer>ask(
            replyTo -> new CallEntity.CheckOn(jobId, spec.processor(), spec.version(), replyTo),
            settings.calls().askTimeout())
        .exceptionally(
            unreachable -> {
              throw new CallSetback(
                  "neither the request nor a check on it was answered: the call's entity cannot be reached ("
                      + rootMessage(silence)
                      + ")");
            });
  }

  /** The outcome, or a failed stage that Retries tries again, or the call recorded as failed. */
  private CompletionStage<CallOutcome> settle(CallRow row, CallEntity.Answer answer, CallTries tries) {
    if (answer.outcome() != null) {
      return CompletableFuture.completedFuture(answer.outcome());
    }
    if (answer.setback() == null || !answer.setback().callsOwn()) {
      tries.notOwn();
      return CompletableFuture.failedFuture(new CallSetback(answer.reason()));
    }
    String reason =
        answer.setback() == CallEntity.Setback.NEVER_RECEIVED
            ? "its request never reached its call entity, though the entity answers (lost on the way:"
                + " not serializable, or dropped by a full mailbox)"
            : answer.reason();
    if (!tries.ownFailure(reason)) {
      return CompletableFuture.failedFuture(new CallSetback(reason));
    }
    return recordFailed(row, tries);
  }

  /**
   * A call that failed for a reason of its own ends in the ledger like one its entity found
   * malformed: the entity never recorded it (it never got the request, or its processing failed),
   * and retry-failed re-drives the calls that the ledger holds as failed.
   */
  private CompletionStage<CallOutcome> recordFailed(CallRow row, CallTries tries) {
    CallOutcome failed = CallOutcome.failed(row.id(), tries.verdict());
    return runtime
        .ledger()
        .record(jobId, row.id(), Status.FAILED, failed.reason(), tries.asked())
        .handle(
            (recorded, failure) -> {
              if (failure != null) {
                throw new CallSetback(
                    "the call has failed ("
                        + failed.reason()
                        + "), and the outcome ledger does not answer to record it: "
                        + rootMessage(failure));
              }
              return failed;
            });
  }

  /** One call's tries: the asks made, the failures of its own in a row, and why it failed. */
  private static final class CallTries {
    private final int allowed;
    private int asked;
    private int ownInARow;
    private String verdict;

    CallTries(int allowed) {
      this.allowed = allowed;
    }

    synchronized int nextAttempt() {
      return ++asked;
    }

    synchronized int asked() {
      return asked;
    }

    /** Why the call has failed, or null while it has not. */
    synchronized String verdict() {
      return verdict;
    }

    synchronized void giveUp(String reason) {
      verdict = reason;
    }

    synchronized void notOwn() {
      ownInARow = 0;
    }

    /** Counts a failure of the call's own; true when it was the last one allowed. */
    synchronized boolean ownFailure(String reason) {
      ownInARow++;
      if (ownInARow < allowed) {
        return false;
      }
      verdict = reason + " (" + ownInARow + " attempts in a row)";
      return true;
    }
  }

  /** A try that did not settle its call; the message is the reason the job shows while it waits. */
  private static final class CallSetback extends RuntimeException {
    CallSetback(String reason) {
      super(reason, null, false, false);
    }
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private static Batch toBatch(List<CallOutcome> outcomes, long scanned) {
    long processed = 0;
    long skipped = 0;
    long failed = 0;
    for (CallOutcome outcome : outcomes) {
      if (outcome.status() == Status.DONE) {
        processed++;
      } else if (outcome.status() == Status.SKIPPED) {
        skipped++;
      } else {
        failed++;
      }
    }
    long watermark = outcomes.get(outcomes.size() - 1).callId();
    return new Batch(watermark, scanned, processed, skipped, failed);
  }
}
