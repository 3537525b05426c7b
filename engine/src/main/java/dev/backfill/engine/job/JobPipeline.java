package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.call.CallShards;
import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.engine.store.OutcomeLedger;
import dev.backfill.engine.store.OutcomeLedger.Status;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.Cancellable;
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
 * The stream that carries one job through its calls, block by block ({@link CallShards}):
 *
 * <pre>
 *   blocks of ids, a few at once -> each block's pages, read and processed one after another by
 *   the block's reader, on the node of the block's call entities -> page counts, in id order ->
 *   checkpoint batches -> the supervisor
 * </pre>
 *
 * Only commands and counts cross between nodes: the transcripts stay on the node that read them.
 * Counts stay in id order (a block's pages follow the block before it, whatever finished first) so
 * that the end of every batch is a true low watermark: every call up to it has finished.
 *
 * <p>A stop lets the pages in hand finish: their calls are processed and checkpointed. The pages
 * of later blocks that finished before the stopped block are not checkpointed (the checkpoint
 * would claim the stopped block's unread calls); their calls are asked again when the job goes on,
 * and their entities answer from what they did.
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
   * with {@link PageRefused} when the primary refused a query for good: the job cannot go on. A
   * primary that does not answer never ends the run: its queries are retried until it does.
   */
  static final class Run {
    private final Supplier<CompletionStage<Done>> stopping;
    private final Runnable abandoning;
    private final CompletionStage<Done> done;

    Run(Supplier<CompletionStage<Done>> stopping, Runnable abandoning, CompletionStage<Done> done) {
      this.stopping = stopping;
      this.abandoning = abandoning;
      this.done = done;
    }

    /**
     * Stops taking new pages and calls (the ones in hand finish and are checkpointed), and stops
     * reading: a lease wait or a page retry under way gives up before its next request to the
     * governor or the primary. So the caller must take the end that follows for a stop, never for
     * the job's completion.
     *
     * @return done once every block reader awaited has heard it: from then on none of them asks
     *     for a lease or reads a page for this run (or after a few seconds, for a reader that
     *     cannot be reached: its job no longer asks it anything, and it gives up by itself)
     */
    CompletionStage<Done> stop() {
      return stopping.get();
    }

    /**
     * Stops, and gives up the calls in flight too: none of them is asked of its entity again. For
     * a run whose actor stops before its end (its job stops or restarts, and goes on from its
     * checkpoint, here or on another node), never for a pause or a hand-off's drain, which let
     * those calls finish.
     */
    void abandon() {
      abandoning.run();
    }

    CompletionStage<Done> done() {
      return done;
    }
  }

  /** The supervisor did not acknowledge a checkpoint: nothing from this batch on is claimed. */
  static final class CheckpointNotRecorded extends RuntimeException {
    CheckpointNotRecorded(Batch batch, Throwable cause) {
      super(
          "the checkpoint up to call " + batch.watermark() + " was not acknowledged: " + JobFailures.rootMessage(cause),
          cause);
    }
  }

  /** The primary refused a page query for good; the message is its refusal. */
  static final class PageRefused extends RuntimeException {
    PageRefused(String refusal) {
      super(refusal, null, false, false);
    }
  }

  /** Failed calls re-read per query when re-driving them; about a target page's worth. */
  private static final int RETRY_IDS_PER_QUERY = 25;

  /**
   * How long the job waits for a block reader's answer before asking again: short, because the
   * job's asks are what tell the reader that the page is still wanted (it gives a page up after
   * {@link #READER_GIVES_UP_AFTER} without one).
   */
  static final Duration READER_ASK_TIMEOUT = Duration.ofSeconds(5);

  private static final Duration READER_MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration READER_MAX_BACKOFF = Duration.ofSeconds(1);

  /**
   * How often the job tells each reader holding a page of it, through the reader's shard, that the
   * page is still wanted. Sharding stops entities of the readers' type after a short idle time
   * (right for call entities, which are done once they answer: cluster.conf), counting only what
   * the shard delivers, and a reader waiting with a page in hand (for a lease, through a quiet
   * moment or a pause) would otherwise hear from its job only when an ask times out. From the job
   * rather than from the reader itself: the job's threads keep normal priority where the data
   * plane's run in the background, and a job that is gone stops saying it, so its readers stop too.
   */
  static final Duration KEEP_ALIVE_EVERY = Duration.ofMillis(500);

  /** Two asks missed: the job no longer wants the page (its node died, it restarted). */
  static final Duration READER_GIVES_UP_AFTER = READER_ASK_TIMEOUT.multipliedBy(2).plus(READER_MAX_BACKOFF);

  /** How long a stop waits for a block reader to confirm it: one that does not has been lost. */
  private static final Duration STOP_CONFIRMATION = Duration.ofSeconds(3);

  /** Ends a block's pages when the run stopped before the block was read to its end. */
  private static final BlockPage.Read INCOMPLETE = BlockPage.Read.notRead(-1);

  private final String jobId;
  private final JobSpec spec;
  private final JobRuntime runtime;
  private final EngineSettings settings;
  private final Supplier<GovernedPrimary.Claim> claim;
  private final Consumer<String> heldBack;
  private final Consumer<String> stalled;
  private final ActorRef<BlockReader.News> news;
  private final ActorSystem<?> system;
  /** Set by {@link Run#stop()} or when the stream has ended; read before every lease and retry. */
  private final AtomicBoolean stopped = new AtomicBoolean();
  /**
   * Set by {@link Run#abandon()} or when the stream has ended; read before every ask. Not set by
   * a stop: a drain must let the calls in flight finish.
   */
  private final AtomicBoolean abandoned = new AtomicBoolean();
  /** The pages asked of block readers and not yet answered: told when the run stops. */
  private final Set<BlockReader.Page> pagesInHand = ConcurrentHashMap.newKeySet();
  /**
   * The asks of block readers awaiting an answer: asked again at once when a cluster member is
   * lost (the reader may have been there).
   */
  private final Set<CompletableFuture<BlockPage.Read>> awaitingReaders = ConcurrentHashMap.newKeySet();

  /**
   * @param claim the job's current claim on the governor's rate (its tuning can change mid-run)
   * @param heldBack hears why the governor holds the job back, and null when it no longer does
   * @param stalled hears why the job waits for a store that does not answer, and null when one of
   *     its calls or pages gets through again
   * @param news where block readers on other nodes send the same two (see {@link
   *     JobRuntime#readersInCallShards})
   */
  JobPipeline(
      String jobId,
      JobSpec spec,
      JobRuntime runtime,
      Supplier<GovernedPrimary.Claim> claim,
      Consumer<String> heldBack,
      Consumer<String> stalled,
      ActorRef<BlockReader.News> news,
      ActorSystem<?> system) {
    this.jobId = jobId;
    this.spec = spec;
    this.runtime = runtime;
    this.settings = runtime.settings();
    this.claim = claim;
    this.heldBack = heldBack;
    this.stalled = stalled;
    this.news = news;
    this.system = system;
  }

  /**
   * Runs from just after {@code watermark} to {@code lastCallId}, the end of the job's scope; the
   * stage completes when the last call has finished, or when the run was stopped and the calls
   * already taken have finished and been checkpointed.
   */
  Run run(long watermark, long lastCallId, long alreadyScanned, Checkpoints checkpoints, Materializer materializer) {
    AtomicLong scanned = new AtomicLong(alreadyScanned);
    int blocksAhead = settings.jobs().blocksInFlight() - 1;
    // Each block from where the one before it ended, or the watermark: the ids between have no
    // call of the job (the lookup said so), so a checkpoint may pass over them.
    Source<Source<BlockPage.Read, NotUsed>, NotUsed> blocks =
        Source.unfoldAsync(
            Optional.of(watermark),
            after ->
                after.isEmpty() || after.get() >= lastCallId
                    ? CompletableFuture.completedFuture(Optional.empty())
                    : nextBlock(after.get(), lastCallId));
    if (blocksAhead > 0) {
      blocks = blocks.buffer(blocksAhead, OverflowStrategy.backpressure());
    }
    CompletionStage<Done> done =
        blocks
            .flatMapConcat(pages -> pages)
            .takeWhile(read -> read != INCOMPLETE)
            .via(checkpointBatches())
            .map(reads -> toBatch(reads, scanned))
            .mapAsync(1, batch -> record(checkpoints, batch))
            .runWith(Sink.ignore(), materializer);
    return started(done, this::readersStopped, () -> readersStopped(true));
  }

  /**
   * The pages of the block of the job's next call after {@code after}, starting from {@code
   * after}, and where the block ends; none when no call is left. Once the run has stopped, a block
   * that ends the stream at once ({@link #INCOMPLETE}): a stop never reads as the job's end.
   */
  private CompletionStage<Optional<Pair<Optional<Long>, Source<BlockPage.Read, NotUsed>>>> nextBlock(
      long after, long lastCallId) {
    Source<BlockPage.Read, NotUsed> stoppedHere = Source.single(INCOMPLETE);
    if (stopped.get()) {
      return CompletableFuture.completedFuture(Optional.of(Pair.create(Optional.empty(), stoppedHere)));
    }
    return LeasedReads.read(
            runtime.primary(),
            claim,
            1,
            (slot, rows) -> runtime.callSource().nextCall(spec, after, lastCallId, slot),
            // No rows counted: a lookup must not teach the page sizer.
            next -> new GovernedPrimary.Cost(0, next.queryMicros()),
            heldBack,
            stalled,
            stopped::get,
            system)
        .handle(
            (next, failure) -> {
              if (failure != null && stopped.get()) {
                return Optional.of(Pair.create(Optional.<Long>empty(), stoppedHere));
              }
              if (failure != null) {
                throw failure instanceof CompletionException known ? known : new CompletionException(failure);
              }
              if (next.id().isEmpty()) {
                return Optional.empty();
              }
              long upTo = Math.min(CallShards.lastIdOf(CallShards.blockOf(next.id().getAsLong())), lastCallId);
              return Optional.of(Pair.create(Optional.of(upTo), pagesOf(CallShards.blockOf(upTo), after, upTo)));
            });
  }

  /**
   * One page of a block as it comes, and a promise of the next: how a block read ahead hands its
   * pages to the stream once the blocks before it are done. A null read ends the block.
   */
  private record PageLink(BlockPage.Read read, CompletableFuture<PageLink> next) {}

  /**
   * A block's pages, one after another, each read and processed before the next is asked for;
   * ended by {@link #INCOMPLETE} when the run stops before the block's last page. The reading
   * starts at once, not when the stream gets to the block: the blocks ahead are read and processed
   * while the ones before them finish, and their counts wait.
   */
  private Source<BlockPage.Read, NotUsed> pagesOf(long block, long afterId, long upTo) {
    CompletableFuture<PageLink> first = new CompletableFuture<>();
    readFrom(block, afterId, upTo, first);
    return Source.unfoldAsync(
        first,
        slot ->
            slot.thenApply(
                link -> link.read() == null ? Optional.empty() : Optional.of(Pair.create(link.next(), link.read()))));
  }

  private void readFrom(long block, long afterId, long upTo, CompletableFuture<PageLink> slot) {
    if (stopped.get()) {
      slot.complete(new PageLink(INCOMPLETE, CompletableFuture.completedFuture(new PageLink(null, null))));
      return;
    }
    readPageUntilRead(block, afterId, upTo)
        .whenComplete(
            (read, failure) -> {
              if (failure != null) {
                slot.completeExceptionally(failure);
              } else if (read.refusal() != null) {
                slot.completeExceptionally(new PageRefused(read.refusal()));
              } else if (!read.wasRead()) {
                readFrom(block, afterId, upTo, slot);
              } else if (read.blockDone()) {
                slot.complete(new PageLink(read, CompletableFuture.completedFuture(new PageLink(null, null))));
              } else {
                CompletableFuture<PageLink> next = new CompletableFuture<>();
                slot.complete(new PageLink(read, next));
                readFrom(block, read.watermark(), upTo, next);
              }
            });
  }

  /**
   * The page, asked again when its reader answers that it read none of it without the run having
   * stopped (the reader's shard moved before any of it finished); once the run has stopped, such
   * an answer ends the block.
   */
  private CompletionStage<BlockPage.Read> readPageUntilRead(long block, long afterId, long upTo) {
    return readPage(block, afterId, upTo)
        .thenCompose(
            read ->
                read.wasRead() || read.refusal() != null || stopped.get()
                    ? CompletableFuture.completedFuture(read)
                    : readPageUntilRead(block, afterId, upTo));
  }

  /** One page of the block, read by the block's reader or, without readers, here. */
  private CompletionStage<BlockPage.Read> readPage(long block, long afterId, long upTo) {
    if (!runtime.readersInCallShards()) {
      return BlockPage.readAndProcess(
          runtime,
          jobId,
          spec,
          claim,
          afterId,
          upTo,
          new BlockPage.Progress(afterId),
          heldBack,
          stalled,
          stopped::get,
          abandoned::get,
          system);
    }
    EntityRef<CallEntity.Command> reader = readerOf(block);
    BlockReader.Page page = new BlockReader.Page(jobId, afterId, upTo);
    // In hand from before the first ask until answered, across asks that time out: the stop reads
    // these after setting its flag, and an ask reads the flag after the page is in hand, so either
    // the stop tells the reader (which keeps a stop that comes before the page) or no ask is sent.
    pagesInHand.add(page);
    // No stalled report for an ask that times out: a page may wait long for its lease, and the
    // reader says why itself. Asked again often, so that the reader knows it is still wanted.
    return Retries.untilSuccess(
            () -> askReader(reader, page),
            READER_MIN_BACKOFF,
            READER_MAX_BACKOFF,
            (attempt, failure) -> {},
            abandoned::get,
            system)
        .whenComplete((read, failure) -> pagesInHand.remove(page));
  }

  /** One ask of the block's reader, unless the run has stopped (then the page is not read). */
  private CompletionStage<BlockPage.Read> askReader(EntityRef<CallEntity.Command> reader, BlockReader.Page page) {
    if (stopped.get()) {
      return CompletableFuture.completedFuture(BlockPage.Read.notRead(page.afterId()));
    }
    GovernedPrimary.Claim current = claim.get();
    CompletableFuture<BlockPage.Read> answer;
    try {
      answer =
          OnCompletingThread.of(
              reader.ask(
                  (ActorRef<BlockPage.Read> replyTo) ->
                      new BlockReader.ReadPage(
                          jobId, spec, current.weight(), current.maxRowsPerSecond(), page.afterId(), page.upTo(), replyTo, news),
                  READER_ASK_TIMEOUT));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    awaitingReaders.add(answer);
    CompletableFuture<BlockPage.Read> awaited = answer;
    answer.whenComplete((read, failure) -> awaitingReaders.remove(awaited));
    return answer;
  }

  /** The reader of a block's pages for this job, in the shard of the block's calls. */
  private EntityRef<CallEntity.Command> readerOf(long block) {
    return ClusterSharding.get(system).entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallShards.readerId(block, jobId));
  }

  private void tellReadersStillWanted() {
    for (BlockReader.Page page : pagesInHand) {
      readerOf(CallShards.blockOf(page.upTo())).tell(BlockReader.StillWanted.INSTANCE);
    }
  }

  private CompletionStage<Done> readersStopped() {
    return readersStopped(false);
  }

  /** Tells every reader asked for a page that the run stops, and hears them confirm it. */
  private CompletionStage<Done> readersStopped(boolean abandon) {
    if (!runtime.readersInCallShards()) {
      // The flags are read here, by this node's lease waits and asks.
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    CompletableFuture<?>[] confirmed =
        pagesInHand.stream()
            .map(
                page ->
                    readerOf(CallShards.blockOf(page.upTo()))
                        .<Done>ask(
                            replyTo -> new BlockReader.StopReading(jobId, page.afterId(), page.upTo(), abandon, replyTo),
                            STOP_CONFIRMATION)
                        .toCompletableFuture()
                        .exceptionally(unconfirmed -> Done.getInstance()))
            .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(confirmed).thenApply(all -> Done.getInstance());
  }

  /**
   * A cluster member was lost and its shards have moved: a page asked of a reader there will never
   * be answered, so it is asked again now, of the reader's new home.
   */
  private void askAgainAfterMemberLoss() {
    for (CompletableFuture<BlockPage.Read> awaiting : awaitingReaders) {
      awaiting.completeExceptionally(new CallAsks.MemberLost());
    }
  }

  /**
   * Counts in the batches that become checkpoints: the first page of a run alone and at once, so
   * that a job that just started, resumed or moved to another node shows progress in the journal
   * as soon as it makes some (not up to a checkpoint interval later); then every
   * checkpoint-every-calls calls or checkpoint-every, whichever comes first.
   */
  private <T> Flow<T, List<T>, NotUsed> checkpointBatches(org.apache.pekko.japi.function.Function<T, Long> calls) {
    var jobs = settings.jobs();
    return Flow.<T>create()
        .prefixAndTail(1)
        .flatMapConcat(
            firstAndRest ->
                Source.single(firstAndRest.first())
                    .filter(first -> !first.isEmpty())
                    .concat(
                        firstAndRest
                            .second()
                            .groupedWeightedWithin(jobs.checkpointEveryCalls(), calls, jobs.checkpointEvery())));
  }

  private Flow<BlockPage.Read, List<BlockPage.Read>, NotUsed> checkpointBatches() {
    return checkpointBatches(read -> (long) read.rows());
  }

  private Run started(CompletionStage<Done> done, Supplier<CompletionStage<Done>> stopping, Runnable abandoning) {
    MemberLosses.Registration losses = runtime.memberLosses().onLoss(this::askAgainAfterMemberLoss);
    Cancellable keepingReaders =
        runtime.readersInCallShards()
            ? system.scheduler()
                .scheduleWithFixedDelay(KEEP_ALIVE_EVERY, KEEP_ALIVE_EVERY, this::tellReadersStillWanted, system.executionContext())
            : Cancellable.alreadyCancelled();
    // However the stream ends (a stop, a failure, the supervisor's restart), a lease wait or a
    // retry that it left behind ends with it instead of asking the governor or an entity on its
    // behalf.
    done.whenComplete(
        (ended, failure) -> {
          stopped.set(true);
          abandoned.set(true);
          losses.close();
          keepingReaders.cancel();
        });
    return new Run(
        () -> {
          stopped.set(true);
          return stopping.get();
        },
        () -> {
          stopped.set(true);
          abandoned.set(true);
          abandoning.run();
        },
        done);
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
        (ok, failure) -> {
          if (failure != null) {
            throw new CheckpointNotRecorded(batch, failure);
          }
          return ok;
        });
  }

  /**
   * Re-drives the calls that the job's ledger holds as failed, bucket by bucket up to the job's
   * last call: their rows are read again (a page of ids per query, under a lease, on the job's
   * node) and processed again. A call that now succeeds moves from failed to processed in the
   * checkpoints. Failed calls are few and scattered, so they are not worth a reader per block.
   */
  Run runRetryOfFailed(long lastCallId, long scanned, Checkpoints checkpoints, Materializer materializer) {
    long lastBucket = OutcomeLedger.bucketOf(lastCallId);
    CallAsks asks =
        new CallAsks(jobId, spec, settings, runtime.memberLosses(), stalled, abandoned::get, system);
    Pair<UniqueKillSwitch, CompletionStage<Done>> running =
        Source.range(0, (int) lastBucket)
            .mapAsync(1, this::failedCallsIn)
            .mapConcat(ids -> ids)
            // Small groups: a lease sizes a page to a target time, but these ids are read in one query.
            .grouped(Math.min(settings.primary().pageSize(), RETRY_IDS_PER_QUERY))
            .mapAsync(1, this::readByIds)
            .mapConcat(rows -> rows)
            // The job's own cap holds for a re-drive as for the first run.
            .via(new AdjustableThrottle<CallRow>(this::callsPerSecondCap))
            .viaMat(KillSwitches.single(), Keep.right())
            .mapAsync(settings.calls().parallelism(), asks::process)
            .via(checkpointBatches(outcome -> 1L))
            .map(outcomes -> toRetryBatch(outcomes, lastCallId, scanned))
            .mapAsync(1, batch -> record(checkpoints, batch))
            .toMat(Sink.ignore(), Keep.both())
            .run(materializer);
    running.second().whenComplete((ended, failure) -> asks.close());
    return started(
        running.second(),
        () -> {
          running.first().shutdown();
          return CompletableFuture.completedFuture(Done.getInstance());
        },
        running.first()::shutdown);
  }

  /** The bucket's failed calls, asked again while the ledger does not answer: a store outage stalls. */
  private CompletionStage<List<Long>> failedCallsIn(int bucket) {
    return Retries.untilSuccess(
            () -> runtime.ledger().failedCalls(jobId, bucket),
            Duration.ofMillis(500),
            Duration.ofSeconds(15),
            (attempt, failure) ->
                stalled.accept(
                    "the outcome ledger does not answer (attempt " + attempt + "): " + JobFailures.rootMessage(failure)),
            stopped::get,
            system)
        .thenApply(
            ids -> {
              stalled.accept(null);
              return ids;
            });
  }

  private CompletionStage<List<CallRow>> readByIds(List<Long> ids) {
    return LeasedReads.read(
        runtime.primary(),
        claim,
        ids.size(),
        (slot, rows) -> runtime.callSource().byIds(ids, slot),
        heldBack,
        stalled,
        stopped::get,
        system);
  }

  /** A retried call that ends done or skipped is no longer failed: it moves between the counts. */
  private static Batch toRetryBatch(List<CallOutcome> outcomes, long watermark, long scanned) {
    long processed = 0;
    long skipped = 0;
    for (CallOutcome outcome : outcomes) {
      if (outcome.status() == Status.DONE) {
        processed++;
      } else if (outcome.status() == Status.SKIPPED) {
        skipped++;
      }
    }
    return new Batch(watermark, scanned, processed, skipped, -(processed + skipped));
  }

  /** The job's own cap, read afresh for every call so that a PATCH takes effect at once. */
  private double callsPerSecondCap() {
    Double cap = claim.get().maxRowsPerSecond();
    return cap == null ? Double.POSITIVE_INFINITY : cap;
  }

  private static Batch toBatch(List<BlockPage.Read> reads, AtomicLong scanned) {
    long processed = 0;
    long skipped = 0;
    long failed = 0;
    long rows = 0;
    for (BlockPage.Read read : reads) {
      processed += read.processed();
      skipped += read.skipped();
      failed += read.failed();
      rows += read.rows();
    }
    long watermark = reads.get(reads.size() - 1).watermark();
    return new Batch(watermark, scanned.addAndGet(rows), processed, skipped, failed);
  }
}
