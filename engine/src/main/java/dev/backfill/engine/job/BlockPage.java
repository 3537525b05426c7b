package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One page of a job's calls in one block of ids: read under a lease, and every call on it asked of
 * its entity until it has an outcome. Run by the block's reader, on the node of the block's call
 * entities ({@link BlockReader}), or by the job itself in tests that give it a node of its own.
 */
final class BlockPage {

  /** Calls of one page asked at once: the job's parallelism shared by its blocks in flight. */
  static int parallelism(JobRuntime runtime) {
    var settings = runtime.settings();
    return Math.max(1, settings.calls().parallelism() / settings.jobs().blocksInFlight());
  }

  /**
   * How one page went.
   *
   * @param watermark every call of the job up to it, in this block, has its outcome: the last call
   *     read, or the end of the read range when the page read all that was left of it
   * @param rows the calls read
   * @param blockDone nothing of the range is left to read
   * @param refusal why the primary refuses the page query for good ({@link
   *     PrimaryCallSource#refusal}), or null
   */
  record Read(
      long watermark, int rows, long processed, long skipped, long failed, boolean blockDone, String refusal)
      implements CborSerializable {

    /** No page was read: the run stopped while it waited for a lease. */
    static Read notRead(long afterId) {
      return new Read(afterId, 0, 0, 0, 0, false, null);
    }

    static Read refused(long afterId, String refusal) {
      return new Read(afterId, 0, 0, 0, 0, false, refusal);
    }

    boolean wasRead() {
      return rows > 0 || blockDone;
    }
  }

  /**
   * How far a page has got: its calls finish in id order, so the ones finished so far are a prefix
   * of the page, and a reader that must stop before the page is done (its shard moves) can answer
   * with them: the job goes on after the last of them.
   */
  static final class Progress {
    private final long afterId;
    private long watermark;
    private int rows;
    private long processed;
    private long skipped;
    private long failed;

    Progress(long afterId) {
      this.afterId = afterId;
      this.watermark = afterId;
    }

    private synchronized void finished(CallOutcome outcome) {
      watermark = outcome.callId();
      rows++;
      if (outcome.status() == Status.DONE) {
        processed++;
      } else if (outcome.status() == Status.SKIPPED) {
        skipped++;
      } else {
        failed++;
      }
    }

    /** The calls finished so far, or {@link Read#notRead} when none has. */
    synchronized Read soFar() {
      return rows == 0 ? Read.notRead(afterId) : new Read(watermark, rows, processed, skipped, failed, false, null);
    }

    private synchronized Read done(long pageWatermark, boolean blockDone) {
      return new Read(pageWatermark, rows, processed, skipped, failed, blockDone, null);
    }
  }

  private BlockPage() {}

  /**
   * Reads the next page after {@code afterId}, up to {@code upTo}, and has its calls processed.
   *
   * @param progress where the page's finished calls are counted as they finish
   * @param stopped read before every lease request: once set, no page is read ({@link
   *     Read#notRead})
   * @param abandoned read before every ask of a call's entity: once set, the calls still without an
   *     outcome are given up (the stage fails); a stop alone lets them finish
   */
  static CompletionStage<Read> readAndProcess(
      JobRuntime runtime,
      String jobId,
      JobSpec spec,
      Supplier<GovernedPrimary.Claim> claim,
      long afterId,
      long upTo,
      Progress progress,
      Consumer<String> heldBack,
      Consumer<String> stalled,
      BooleanSupplier stopped,
      BooleanSupplier abandoned,
      ActorSystem<?> system) {
    AtomicInteger limit = new AtomicInteger();
    CompletionStage<List<CallRow>> rows =
        LeasedReads.read(
            runtime.primary(),
            claim,
            runtime.settings().primary().pageSize(),
            (slot, leased) -> {
              limit.set(Math.min(leased, runtime.settings().primary().pageSize()));
              return runtime.callSource().page(spec, afterId, upTo, slot, leased);
            },
            heldBack,
            stalled,
            stopped,
            system);
    return rows.handle(
            (calls, failure) -> {
              if (failure == null) {
                return process(runtime, jobId, spec, calls, upTo, limit.get(), progress, stalled, abandoned, system);
              }
              String refusal = PrimaryCallSource.refusal(failure);
              if (refusal != null) {
                return CompletableFuture.completedFuture(Read.refused(afterId, refusal));
              }
              if (stopped.getAsBoolean() && JobFailures.causeOf(failure, CancellationException.class) != null) {
                return CompletableFuture.completedFuture(Read.notRead(afterId));
              }
              return CompletableFuture.<Read>failedFuture(failure);
            })
        .thenCompose(stage -> stage);
  }

  private static CompletionStage<Read> process(
      JobRuntime runtime,
      String jobId,
      JobSpec spec,
      List<CallRow> calls,
      long upTo,
      int limit,
      Progress progress,
      Consumer<String> stalled,
      BooleanSupplier abandoned,
      ActorSystem<?> system) {
    // Fewer calls than the query's limit: the query read all that was left up to upTo.
    boolean blockDone = calls.size() < limit;
    long watermark = blockDone ? upTo : calls.get(calls.size() - 1).id();
    if (calls.isEmpty()) {
      return CompletableFuture.completedFuture(progress.done(watermark, true));
    }
    CallAsks asks = new CallAsks(jobId, spec, runtime.settings(), runtime.memberLosses(), stalled, abandoned, system);
    // In id order (mapAsync, not mapAsyncUnordered): what has finished is always a prefix.
    return Source.from(calls)
        .mapAsync(parallelism(runtime), asks::process)
        .toMat(Sink.foreach(progress::finished), Keep.right())
        .withAttributes(ActorAttributes.dispatcher(CallEntity.DISPATCHER))
        .run(system)
        .whenComplete((finished, failure) -> asks.close())
        .thenApply(finished -> progress.done(watermark, blockDone));
  }
}
