package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.call.RequestSizeLimit;
import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.engine.source.Page;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
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
   * its causes) when a checkpoint was not acknowledged: the journal did not take it in time; and
   * with the primary's refusal when it refused a query for good ({@link
   * PrimaryCallSource#refusal}): the job cannot go on. A primary that does not answer never ends
   * the run: its queries are retried until it does.
   */
  record Run(
      UniqueKillSwitch calls, AtomicBoolean stopped, AtomicBoolean abandoned, CompletionStage<Done> done) {

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

    /**
     * Stops, and gives up the calls in flight too: none of them is asked of its entity again. For
     * a supervisor that stops or restarts (the job goes on from its checkpoint, here or on another
     * node), never for a pause or a hand-off's drain, which let those calls finish.
     */
    void abandon() {
      stop();
      abandoned.set(true);
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
   * Set by {@link Run#abandon()} or when the stream has ended; read before every ask of a call
   * entity. Not set by a stop: a drain must let the calls in flight finish.
   */
  private final AtomicBoolean abandoned = new AtomicBoolean();
  /**
   * The asks to call entities awaiting an answer (at most calls.parallelism): when a cluster member
   * is lost they fail at once and are sent again (see {@link MemberLosses}).
   */
  private final Set<CompletableFuture<CallEntity.Answer>> awaitingAnswers = ConcurrentHashMap.newKeySet();

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
   * Runs from just after {@code watermark} to {@code lastCallId}, the end of the job's scope; the
   * stage completes when the last call has finished, or when the run was stopped and the calls
   * already taken have finished and been checkpointed.
   */
  Run run(long watermark, long lastCallId, long alreadyScanned, Checkpoints checkpoints, Materializer materializer) {
    AtomicLong scanned = new AtomicLong(alreadyScanned);
    var jobs = settings.jobs();
    return started(Source.unfoldAsync(watermark, afterId -> nextPage(afterId, lastCallId))
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
        .via(checkpointBatches())
        .map(outcomes -> toBatch(outcomes, scanned.get()))
        .mapAsync(1, batch -> record(checkpoints, batch))
        .toMat(Sink.ignore(), Keep.both())
        .run(materializer));
  }

  /**
   * Outcomes in the batches that become checkpoints: the first outcome of a run alone and at once,
   * so that a job that just started, resumed or moved to another node shows progress in the
   * journal as soon as it makes some (not up to a checkpoint interval later); then every
   * checkpoint-every-calls outcomes or checkpoint-every, whichever comes first.
   */
  private Flow<CallOutcome, List<CallOutcome>, NotUsed> checkpointBatches() {
    var jobs = settings.jobs();
    return Flow.<CallOutcome>create()
        .prefixAndTail(1)
        .flatMapConcat(
            firstAndRest ->
                Source.single(firstAndRest.first())
                    .filter(first -> !first.isEmpty())
                    .concat(firstAndRest.second().groupedWithin(jobs.checkpointEveryCalls(), jobs.checkpointEvery())));
  }

  private Run started(Pair<UniqueKillSwitch, CompletionStage<Done>> running) {
    MemberLosses.Registration losses = runtime.memberLosses().onLoss(this::askAgainAfterMemberLoss);
    // However the stream ends (a stop, a failure, the supervisor's restart), a lease wait or a
    // retry that it left behind ends with it instead of asking the governor or a call's entity
    // on its behalf.
    running
        .second()
        .whenComplete(
            (done, failure) -> {
              stopped.set(true);
              abandoned.set(true);
              losses.close();
            });
    return new Run(running.first(), stopped, abandoned, running.second());
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
   * Once the run is stopped, or has read up to {@code lastCallId}, there is no next page: the
   * source completes without another query.
   */
  private CompletionStage<Optional<Pair<Long, List<CallRow>>>> nextPage(long afterId, long lastCallId) {
    if (stopped.get() || afterId >= lastCallId) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return readCalls(
            settings.primary().pageSize(),
            (slot, rows) -> runtime.callSource().page(spec, afterId, lastCallId, slot, rows))
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
   * another lease nor run another query). A query the primary refuses for good is not sent again:
   * it fails at once with the refusal, which ends the run.
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
            PrimaryCallSource::isPermanent,
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
        // The job's own cap holds for a re-drive as for the first run.
        .via(new AdjustableThrottle<CallRow>(this::callsPerSecondCap))
        .viaMat(KillSwitches.single(), Keep.right())
        .mapAsync(settings.calls().parallelism(), this::processCall)
        .via(checkpointBatches())
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
   * Asks the call's entity to process the call until it answers with the call's outcome, which the
   * entity has recorded in the job's ledger (the job never writes a call's outcome itself):
   *
   * <ul>
   *   <li>An ask that is not answered (its request or answer was lost: a full mailbox, a node
   *       down, a shard moving to a new incarnation of the entity) or answered without an outcome
   *       (a store does not answer, the entity is busy) is sent again, with backoff and jitter,
   *       for as long as it takes: the request is idempotent. After {@code attempts} tries the job
   *       shows STALLED with the reason, and it goes on by itself when the trouble passes. Such
   *       trouble never turns into a lost or failed call.
   *   <li>A call whose request is too large to send between nodes ({@link RequestSizeLimit}) is
   *       not sent: its entity is asked to record it FAILED with the reason instead.
   *   <li>A call that cannot be processed for a reason of its own comes back FAILED at once, with
   *       the reason, and is not asked again.
   * </ul>
   *
   * Once the run is abandoned (its stream has ended, or its supervisor stopped) the asks stop:
   * the job goes on from its checkpoint, maybe on another node.
   */
  private CompletionStage<CallOutcome> processCall(CallRow row) {
    var calls = settings.calls();
    var entity = sharding.entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(row.id()));
    String tooLarge = RequestSizeLimit.get(system).refusal(process(row, 0, system.deadLetters()));
    AtomicInteger asked = new AtomicInteger();
    return Retries.untilSuccess(
            () -> askEntity(entity, row, tooLarge, asked.incrementAndGet()),
            calls.minBackoff(),
            calls.maxBackoff(),
            (number, failure) -> {
              if (number >= calls.attempts()) {
                stalled.accept(
                    "call " + row.id() + " has no outcome after " + number + " attempts: " + rootMessage(failure));
              }
            },
            abandoned::get,
            system)
        .thenApply(
            outcome -> {
              stalled.accept(null);
              return outcome;
            });
  }

  private CallEntity.Process process(CallRow row, int attempt, ActorRef<CallEntity.Answer> replyTo) {
    return new CallEntity.Process(
        jobId, row, spec.processor(), spec.version(), spec.parameters(), attempt, replyTo);
  }

  /**
   * A cluster member was lost and its shards have moved: an ask that went to one of its entities
   * will never be answered, so every ask awaiting an answer fails now and is sent again (one that
   * went to a live entity is answered again, from what that entity already did).
   */
  private void askAgainAfterMemberLoss() {
    for (CompletableFuture<CallEntity.Answer> awaiting : awaitingAnswers) {
      awaiting.completeExceptionally(new MemberLost());
    }
  }

  /**
   * One ask; an answer without an outcome fails the stage with its reason, to be asked again. The
   * ask is awaited in {@link #awaitingAnswers} until it is answered, so that a member loss can fail
   * it first.
   */
  private CompletionStage<CallOutcome> askEntity(
      EntityRef<CallEntity.Command> entity, CallRow row, String tooLarge, int attempt) {
    CompletableFuture<CallEntity.Answer> answer;
    try {
      answer =
          OnCompletingThread.of(
              entity.ask(
                  replyTo ->
                      tooLarge == null
                          ? process(row, attempt, replyTo)
                          : new CallEntity.RecordFailed(
                              jobId, row.id(), spec.processor(), spec.version(), spec.parameters(), tooLarge, attempt, replyTo),
                  settings.calls().askTimeout()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    return awaited(answer)
        .thenCompose(
            answered ->
                answered.outcome() != null
                    ? CompletableFuture.completedFuture(answered.outcome())
                    : CompletableFuture.failedFuture(new NoOutcome(answered.reason())));
  }

  private CompletableFuture<CallEntity.Answer> awaited(CompletableFuture<CallEntity.Answer> answer) {
    awaitingAnswers.add(answer);
    answer.whenComplete((answered, failure) -> awaitingAnswers.remove(answer));
    return answer;
  }

  /** An ask that a lost cluster member may have swallowed, failed so that it is sent again. */
  private static final class MemberLost extends RuntimeException {
    MemberLost() {
      super("a cluster member left while the call's entity was asked: asked again", null, false, false);
    }
  }

  /** An answer without an outcome; the message is the reason the job shows while it waits. */
  private static final class NoOutcome extends RuntimeException {
    NoOutcome(String reason) {
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
