package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.call.CallRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.MailboxSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One historical call, sharded by its block of ids ({@link CallShards}): the single writer of that
 * call's results and of its rows in the jobs' ledgers. A job never writes a call's outcome itself;
 * it asks the entity (through the block's page reader, on the same node), and asks again for as
 * long as it gets no outcome.
 *
 * <p>It keeps no journal (starting one must stay cheap: a backfill touches millions of them) and
 * works on one request at a time, stashing the others. Every request is idempotent: asked again
 * (the first ask or its answer was lost, or came late), the entity answers a done or skipped call
 * from its memory, and otherwise processes it again, which finds its result if it was written.
 *
 * <p>A failure of the stores or of the node (see {@link CallProcessing#isStoreFailure}) is answered
 * without an outcome, and the job asks again. Any other failure of the processing is the call's
 * own and the same on every attempt: the entity records the call FAILED with the reason and answers
 * that outcome.
 *
 * <p>Its mailbox ({@link CallEntityMailbox}) is bounded for requests only: the end of its own work
 * always gets in, so the entity cannot be left working forever.
 */
public final class CallEntity extends AbstractBehavior<CallEntity.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "Call");

  /**
   * Where the entity's mailbox is configured: {@link CallEntityMailbox}, sized by
   * backfill.calls.mailbox-capacity.
   */
  public static final String MAILBOX_CONFIG = "backfill.calls.mailbox";

  /**
   * The data plane's dispatcher that call entities, their shards' block readers and the streams
   * of a page's calls run on (in the background on a split node, the default, or a background one: dev.backfill.engine.threads).
   */
  public static final String DISPATCHER = "backfill-calls-dispatcher";

  /**
   * What the entity type's entities take: a call entity's requests and its own messages, and the
   * messages of a block's page reader, which lives in the same shards ({@link CallShards}).
   */
  public interface Command extends CborSerializable {}

  /**
   * What jobs send, each an ask that its job repeats until it gets an outcome: the only messages
   * that can overflow the entity's mailbox. The job, call and computation it is about are in every
   * one.
   */
  public sealed interface Request extends Command {
    String jobId();

    long callId();

    String processor();

    int version();

    Map<String, String> parameters();

    /** The job's ask for this call, counted from 1: recorded in the ledger with the outcome. */
    int attempt();

    ActorRef<Answer> replyTo();
  }

  /** Analyse this call for this job and answer how it ended. */
  public record Process(
      String jobId,
      CallRow call,
      String processor,
      int version,
      Map<String, String> parameters,
      int attempt,
      ActorRef<Answer> replyTo)
      implements Request {

    @Override
    public long callId() {
      return call.id();
    }
  }

  /**
   * Record this call FAILED for this job with this reason, without analysing it: what a job sends
   * instead of a {@link Process} that it cannot send ({@link RequestSizeLimit}). When the result
   * of this computation exists already the call is found done earlier (this job wrote it) or
   * skipped (another did) instead.
   */
  public record RecordFailed(
      String jobId,
      long callId,
      String processor,
      int version,
      Map<String, String> parameters,
      String reason,
      int attempt,
      ActorRef<Answer> replyTo)
      implements Request {}

  /**
   * The answer to a request: the call's outcome, already in the job's ledger; or, when there is
   * none yet, why (a store does not answer, the entity holds too many requests): the job asks
   * again later.
   */
  public record Answer(CallOutcome outcome, String reason) implements CborSerializable {

    public static Answer finished(CallOutcome outcome) {
      return new Answer(outcome, null);
    }

    public static Answer notFinished(String reason) {
      return new Answer(null, CallOutcome.shorten(reason));
    }
  }

  /** The end of {@link Work#process} for the current request. */
  private record Processed(CallOutcome outcome, Throwable failure) implements Command {}

  /** The end of {@link Work#recordFailed} for the current request. */
  private record FailureRecorded(CallOutcome outcome, Throwable failure) implements Command {}

  /**
   * Sent by sharding when it passivates an entity of this type (a call entity or a block's page
   * reader). Stopping at once would drop the answer of
   * work in flight (the ask would time out and the job wait until it asks again), so the entity
   * finishes what it holds first.
   */
  public enum Passivate implements Command {
    INSTANCE
  }

  /** What the entity does with a request: {@link CallProcessing} on a node. */
  public interface Work {
    /**
     * Processes the call and records its outcome in the job's ledger.
     *
     * @return the outcome; a failed stage is the stores' trouble when {@link
     *     CallProcessing#isStoreFailure} says so, the call's own otherwise
     */
    CompletionStage<CallOutcome> process(Process request);

    /**
     * Records the call FAILED with {@code reason} in the job's ledger, unless the result of the
     * request's computation exists (then DONE if this job wrote it, SKIPPED if another did): a
     * call with a result is never recorded failed.
     *
     * @return the outcome recorded; a failed stage means it could not be recorded
     */
    CompletionStage<CallOutcome> recordFailed(Request request, String reason);
  }

  /**
   * Call entities only: an entity id of a block's page reader starts nothing (for tests of call
   * entities and of jobs that read their pages on their own node).
   *
   * @param stashCapacity requests an entity holds while it works on one (the mailbox's own bound
   *     is backfill.calls.mailbox-capacity)
   */
  public static void init(ActorSystem<?> system, Work work, int stashCapacity) {
    init(system, work, stashCapacity, readerId -> Behaviors.empty());
  }

  /**
   * @param readers the behaviour of a block's page reader, by its entity id ({@link
   *     CallShards#readerId}): it shares the shard of its block's calls
   */
  public static void init(
      ActorSystem<?> system, Work work, int stashCapacity, Function<String, Behavior<Command>> readers) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    entityContext ->
                        CallShards.isReaderId(entityContext.getEntityId())
                            ? readers.apply(entityContext.getEntityId())
                            : create(work, stashCapacity))
                .withMessageExtractor(new CallShards())
                .withStopMessage(Passivate.INSTANCE)
                .withEntityProps(mailbox().withDispatcherFromConfig(DISPATCHER)));
  }

  /**
   * The entity's mailbox: a request that overflows it goes to dead letters (its job's ask times out
   * and is sent again); the entity's own messages never do.
   */
  public static MailboxSelector mailbox() {
    return MailboxSelector.fromConfig(MAILBOX_CONFIG);
  }

  public static String entityId(long callId) {
    return Long.toString(callId);
  }

  public static Behavior<Command> create(Work work, int stashCapacity) {
    return Behaviors.setup(
        context ->
            Behaviors.withStash(stashCapacity, stash -> new CallEntity(context, stash, work)));
  }

  private final StashBuffer<Command> stash;
  private final Work work;
  /** Each job's outcome for this call, once it has one (a job has one computation). */
  private final Map<String, CallOutcome> outcomes = new HashMap<>();
  /** The request being worked on; null when idle. */
  private Request current;
  /**
   * Who else waits for the request in hand: the same job asking the same again while it is being
   * worked on (its ask timed out, or a cluster member was lost and it asked everything again). They
   * get the same answer, so a call is never worked on twice for one job at once (a call that fails
   * would otherwise be analysed and recorded FAILED again).
   */
  private final List<ActorRef<Answer>> alsoWaiting = new ArrayList<>();
  private boolean passivating;

  private CallEntity(ActorContext<Command> context, StashBuffer<Command> stash, Work work) {
    super(context);
    this.stash = stash;
    this.work = work;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Process.class, this::onRequest)
        .onMessage(RecordFailed.class, this::onRequest)
        .onMessage(Processed.class, this::onProcessed)
        .onMessage(FailureRecorded.class, this::onFailureRecorded)
        .onMessage(Passivate.class, this::onPassivate)
        .build();
  }

  private Behavior<Command> onRequest(Request request) {
    CallOutcome earlier = outcomes.get(request.jobId());
    // A failed call is taken again when asked again, which is what retry-failed wants once its
    // data has been fixed (and records the same failure otherwise).
    if (earlier != null && earlier.status() != Status.FAILED) {
      request.replyTo().tell(Answer.finished(earlier));
      return this;
    }
    if (current != null) {
      if (sameAsCurrent(request) && alsoWaiting.size() < stash.capacity()) {
        alsoWaiting.add(request.replyTo());
        return this;
      }
      if (stash.isFull()) {
        request.replyTo().tell(Answer.notFinished("the call's entity holds " + stash.size() + " requests already"));
      } else {
        stash.stash(request);
      }
      return this;
    }
    start(request);
    return this;
  }

  private boolean sameAsCurrent(Request request) {
    return request.getClass() == current.getClass() && request.jobId().equals(current.jobId());
  }

  private void start(Request request) {
    current = request;
    if (request instanceof RecordFailed failed) {
      recordFailed(request, failed.reason());
      return;
    }
    CompletionStage<CallOutcome> outcome;
    try {
      outcome = work.process((Process) request);
    } catch (RuntimeException e) {
      // Thrown before any work started: this call's data hit a bug. It is settled like any other
      // failure; a crash would stop the entity and leave every ask for the call unanswered.
      outcome = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(outcome, Processed::new);
  }

  private void recordFailed(Request request, String reason) {
    CompletionStage<CallOutcome> recorded;
    try {
      recorded = work.recordFailed(request, reason);
    } catch (RuntimeException e) {
      recorded = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(recorded, FailureRecorded::new);
  }

  private Behavior<Command> onProcessed(Processed processed) {
    Throwable failure = processed.failure();
    if (failure != null && (CallProcessing.isStoreFailure(failure) || shuttingDown())) {
      return answer(Answer.notFinished(rootMessage(failure)));
    }
    if (failure != null) {
      recordFailed(current, "processing failed: " + rootMessage(failure));
      return this;
    }
    if (processed.outcome() == null) {
      recordFailed(current, "processing ended without an outcome");
      return this;
    }
    return remember(processed.outcome());
  }

  private Behavior<Command> onFailureRecorded(FailureRecorded recorded) {
    if (recorded.failure() != null || recorded.outcome() == null) {
      String why = recorded.failure() == null ? "no outcome" : rootMessage(recorded.failure());
      return answer(Answer.notFinished("the call has failed, and its failure cannot be recorded yet: " + why));
    }
    return remember(recorded.outcome());
  }

  private Behavior<Command> remember(CallOutcome outcome) {
    outcomes.put(current.jobId(), outcome);
    return answer(Answer.finished(outcome));
  }

  /**
   * Answers the current request and takes the held ones. Those answered from memory leave the
   * entity idle: if sharding asked it to stop meanwhile, it stops now, or it never would, and its
   * shard would hold the call's messages for it forever.
   */
  private Behavior<Command> answer(Answer answer) {
    current.replyTo().tell(answer);
    alsoWaiting.forEach(replyTo -> replyTo.tell(answer));
    alsoWaiting.clear();
    current = null;
    Behavior<Command> next = stash.unstashAll(this);
    if (passivating && current == null && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    return next;
  }

  private Behavior<Command> onPassivate(Passivate passivate) {
    if (current == null && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    passivating = true;
    return this;
  }

  /**
   * While the node shuts down no failure is taken for the call's own: its session, executors and
   * stages are being closed and cancelled under the work.
   */
  private boolean shuttingDown() {
    return CoordinatedShutdown.get(getContext().getSystem()).getShutdownReason().isPresent();
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
