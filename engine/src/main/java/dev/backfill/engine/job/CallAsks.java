package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallOutcome;
import dev.backfill.engine.call.RequestSizeLimit;
import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.protocol.call.CallRow;
import dev.backfill.protocol.job.JobSpec;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * Asks call entities to process one job's calls until each answers with the call's outcome, which
 * the entity has recorded in the job's ledger (the job never writes a call's outcome itself):
 *
 * <ul>
 *   <li>An ask that is not answered (its request or answer was lost: a full mailbox, a node down,
 *       a shard moving to a new incarnation of the entity) or answered without an outcome (a store
 *       does not answer, the entity is busy) is sent again, with backoff and jitter, for as long as
 *       it takes: the request is idempotent. After {@code attempts} tries the job shows STALLED
 *       with the reason, and it goes on by itself when the trouble passes. Such trouble never
 *       turns into a lost or failed call.
 *   <li>A call whose request is too large to send between nodes ({@link RequestSizeLimit}) is not
 *       sent: its entity is asked to record it FAILED with the reason instead. (A block's reader
 *       asks entities of its own shard, on its own node, but a shard may be moving.)
 *   <li>A call that cannot be processed for a reason of its own comes back FAILED at once, with
 *       the reason, and is not asked again.
 * </ul>
 *
 * Once {@code abandoned} says so the asks stop: nobody waits for their outcomes any more.
 */
final class CallAsks implements AutoCloseable {

  private final String jobId;
  private final JobSpec spec;
  private final EngineSettings settings;
  private final Consumer<String> stalled;
  private final BooleanSupplier abandoned;
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  /**
   * The asks awaiting an answer: when a cluster member is lost they fail at once and are sent
   * again (see {@link MemberLosses}).
   */
  private final Set<CompletableFuture<CallEntity.Answer>> awaitingAnswers = ConcurrentHashMap.newKeySet();

  private final MemberLosses.Registration losses;

  /**
   * @param stalled hears why a call has no outcome after its attempts, and null once one of the
   *     calls gets its outcome
   */
  CallAsks(
      String jobId,
      JobSpec spec,
      EngineSettings settings,
      MemberLosses memberLosses,
      Consumer<String> stalled,
      BooleanSupplier abandoned,
      ActorSystem<?> system) {
    this.jobId = jobId;
    this.spec = spec;
    this.settings = settings;
    this.stalled = stalled;
    this.abandoned = abandoned;
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.losses = memberLosses.onLoss(this::askAgainAfterMemberLoss);
  }

  /** No more asking again after a member loss. */
  @Override
  public void close() {
    losses.close();
  }

  /** The call's outcome, once its entity has recorded it. */
  CompletionStage<CallOutcome> process(CallRow row) {
    var calls = settings.calls();
    var entity = sharding.entityRefFor(CallEntity.ENTITY_TYPE_KEY, CallEntity.entityId(row.id()));
    String tooLarge = RequestSizeLimit.get(system).refusal(request(row, 0, system.deadLetters()));
    AtomicInteger asked = new AtomicInteger();
    return Retries.untilSuccess(
            () -> askEntity(entity, row, tooLarge, asked.incrementAndGet()),
            calls.minBackoff(),
            calls.maxBackoff(),
            (number, failure) -> {
              if (number >= calls.attempts()) {
                stalled.accept(
                    "call " + row.id() + " has no outcome after " + number + " attempts: " + JobFailures.rootMessage(failure));
              }
            },
            abandoned,
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
                          ? request(row, attempt, replyTo)
                          : new CallEntity.RecordFailed(
                              jobId, row.id(), spec.processor(), spec.version(), spec.parameters(), tooLarge, attempt, replyTo),
                  settings.calls().askTimeout()));
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    awaitingAnswers.add(answer);
    CompletableFuture<CallEntity.Answer> awaited = answer;
    answer.whenComplete((answered, failure) -> awaitingAnswers.remove(awaited));
    return answer.thenCompose(
        answered ->
            answered.outcome() != null
                ? CompletableFuture.completedFuture(answered.outcome())
                : CompletableFuture.failedFuture(new NoOutcome(answered.reason())));
  }

  /** An ask that a lost cluster member may have swallowed, failed so that it is sent again. */
  static final class MemberLost extends RuntimeException {
    MemberLost() {
      super("a cluster member left while an entity was asked: asked again", null, false, false);
    }
  }

  /** An answer without an outcome; the message is the reason the job shows while it waits. */
  private static final class NoOutcome extends RuntimeException {
    NoOutcome(String reason) {
      super(reason, null, false, false);
    }
  }
}
