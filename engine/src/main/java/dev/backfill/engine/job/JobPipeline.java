package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.StatusReply;
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
 */
final class JobPipeline {

  /** The outcomes of consecutive calls, reported to the supervisor as one checkpoint. */
  record Batch(long watermark, long scanned, long processed, long skipped, long failed) {}

  /** Receives checkpoints; the next batch is not sent before the previous one is acknowledged. */
  interface Checkpoints {
    CompletionStage<Done> record(Batch batch);
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
   * or when the switch was thrown and the calls already taken have finished and been checkpointed.
   */
  Pair<UniqueKillSwitch, CompletionStage<Done>> run(
      long watermark, long alreadyScanned, Checkpoints checkpoints, Materializer materializer) {
    AtomicLong scanned = new AtomicLong(alreadyScanned);
    var jobs = settings.jobs();
    return Source.unfoldAsync(watermark, this::nextPage)
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
        .mapAsync(1, checkpoints::record)
        .toMat(Sink.ignore(), Keep.both())
        .run(materializer);
  }

  /**
   * The page after {@code afterId}, read under a lease from the governor (waiting as long as it
   * holds the job back). A failed query is retried with backoff, each attempt under a new lease,
   * for as long as the primary does not answer: the job stalls, saying why, and goes on by itself.
   */
  private CompletionStage<Optional<Pair<Long, List<CallRow>>>> nextPage(long afterId) {
    return readCalls(
            settings.primary().pageSize(), (slot, rows) -> runtime.callSource().page(spec, afterId, slot, rows))
        .thenApply(
            rows ->
                rows.isEmpty()
                    ? Optional.<Pair<Long, List<CallRow>>>empty()
                    : Optional.of(Pair.create(rows.get(rows.size() - 1).id(), rows)));
  }

  /** A query for up to {@code rows} calls under a lease, retried while the primary does not answer. */
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
                        heldBack)
                    .thenApply(Page::calls),
            Duration.ofMillis(500),
            Duration.ofSeconds(15),
            (attempt, failure) ->
                stalled.accept("the primary does not answer (attempt " + attempt + "): " + rootMessage(failure)),
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
  Pair<UniqueKillSwitch, CompletionStage<Done>> runRetryOfFailed(
      long lastCallId, long scanned, Checkpoints checkpoints, Materializer materializer) {
    var jobs = settings.jobs();
    long lastBucket = OutcomeLedger.bucketOf(lastCallId);
    return Source.range(0, (int) lastBucket)
        .mapAsync(1, bucket -> runtime.ledger().failedCalls(jobId, bucket))
        .mapConcat(ids -> ids)
        // Small groups: a lease sizes a page to a target time, but these ids are read in one query.
        .grouped(Math.min(settings.primary().pageSize(), RETRY_IDS_PER_QUERY))
        .mapAsync(1, this::readByIds)
        .mapConcat(rows -> rows)
        .viaMat(KillSwitches.single(), Keep.right())
        .mapAsync(settings.calls().parallelism(), this::processCall)
        .groupedWithin(jobs.checkpointEveryCalls(), jobs.checkpointEvery())
        .map(outcomes -> toRetryBatch(outcomes, lastCallId, scanned))
        .mapAsync(1, checkpoints::record)
        .toMat(Sink.ignore(), Keep.both())
        .run(materializer);
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
   * Asks the call's entity, retrying a lost or failed answer (a store timeout, Cassandra down, a
   * message dropped by a full mailbox) with backoff and jitter. After {@code attempts} tries the
   * job shows itself STALLED with the reason, and keeps trying: a transient failure never turns
   * into a lost or failed call. Calls that cannot be analysed come back as FAILED outcomes and
   * are not retried.
   */
  private CompletionStage<CallOutcome> processCall(CallRow row) {
    var calls = settings.calls();
    var entity = sharding.entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(row.id()));
    AtomicInteger attempt = new AtomicInteger();
    return Retries.untilSuccess(
            () ->
                entity.askWithStatus(
                    (ActorRef<StatusReply<CallOutcome>> replyTo) ->
                        new CallEntity.Process(
                            jobId,
                            row,
                            spec.processor(),
                            spec.version(),
                            spec.parameters(),
                            attempt.incrementAndGet(),
                            replyTo),
                    calls.askTimeout()),
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
