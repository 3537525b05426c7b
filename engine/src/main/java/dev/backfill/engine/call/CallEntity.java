package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.call.CallRow;
import java.util.HashMap;
import java.util.Map;
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
import org.apache.pekko.pattern.StatusReply;

/**
 * One historical call, sharded by call id: the single writer of that call's results.
 *
 * <p>It keeps no journal (starting one must stay cheap: a backfill touches millions of them) and
 * works on one request at a time, stashing the others. It remembers how each job's request ended,
 * so that a retried ask (the first answer was lost or late) gets the same answer instead of being
 * counted as skipped.
 */
public final class CallEntity extends AbstractBehavior<CallEntity.Command> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "Call");

  public sealed interface Command extends CborSerializable {}

  /** Analyse this call for this job and answer how it ended. */
  public record Process(
      String jobId,
      CallRow call,
      String processor,
      int version,
      Map<String, String> parameters,
      int attempt,
      ActorRef<StatusReply<CallOutcome>> replyTo)
      implements Command {}

  private record WorkFinished(Process request, CallOutcome outcome, Throwable failure)
      implements Command {}

  /**
   * Sent by sharding when it passivates this entity. Stopping at once would drop the answer of
   * work in flight (the ask would time out and the job stall until it retries), so the entity
   * finishes what it holds first.
   */
  enum Passivate implements Command {
    INSTANCE
  }

  public static void init(ActorSystem<?> system, CallProcessing processing, int mailboxCapacity) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, entityContext -> create(processing, mailboxCapacity))
                .withStopMessage(Passivate.INSTANCE)
                // Overflow goes to dead letters; the job's ask times out and is retried.
                .withEntityProps(MailboxSelector.bounded(mailboxCapacity)));
  }

  public static String entityId(long callId) {
    return Long.toString(callId);
  }

  public static Behavior<Command> create(CallProcessing processing, int stashCapacity) {
    return Behaviors.setup(
        context ->
            Behaviors.withStash(
                stashCapacity, stash -> new CallEntity(context, stash, processing)));
  }

  private final StashBuffer<Command> stash;
  private final CallProcessing processing;
  private final Map<String, CallOutcome> finishedRequests = new HashMap<>();
  private boolean working;
  private boolean passivating;

  private CallEntity(
      ActorContext<Command> context, StashBuffer<Command> stash, CallProcessing processing) {
    super(context);
    this.stash = stash;
    this.processing = processing;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Process.class, this::onProcess)
        .onMessage(WorkFinished.class, this::onWorkFinished)
        .onMessage(Passivate.class, this::onPassivate)
        .build();
  }

  private Behavior<Command> onProcess(Process request) {
    CallOutcome earlier = finishedRequests.get(requestKey(request));
    if (earlier != null) {
      request.replyTo().tell(StatusReply.success(earlier));
      return this;
    }
    if (working) {
      if (stash.isFull()) {
        request.replyTo().tell(StatusReply.error("call " + request.call().id() + " is busy"));
      } else {
        stash.stash(request);
      }
      return this;
    }
    working = true;
    getContext()
        .pipeToSelf(
            processing.process(
                request.jobId(),
                request.call(),
                request.processor(),
                request.version(),
                request.parameters(),
                request.attempt()),
            (outcome, failure) -> new WorkFinished(request, outcome, failure));
    return this;
  }

  private Behavior<Command> onWorkFinished(WorkFinished finished) {
    working = false;
    Process request = finished.request();
    if (finished.failure() != null) {
      request
          .replyTo()
          .tell(StatusReply.error("call " + request.call().id() + ": " + rootMessage(finished.failure())));
    } else {
      // A failed call is not remembered: asked again, it is analysed again, which is what
      // retry-failed wants once its data has been fixed (and gives the same answer otherwise).
      if (finished.outcome().status() != Status.FAILED) {
        finishedRequests.put(requestKey(request), finished.outcome());
      }
      request.replyTo().tell(StatusReply.success(finished.outcome()));
    }
    if (passivating && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    return stash.unstashAll(this);
  }

  private Behavior<Command> onPassivate(Passivate passivate) {
    if (!working && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    passivating = true;
    return this;
  }

  private static String requestKey(Process request) {
    return request.jobId() + '/' + request.processor() + '/' + request.version();
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
