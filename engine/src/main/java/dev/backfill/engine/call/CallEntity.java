package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.call.CallRow;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * One historical call, sharded by call id: the single writer of that call's results.
 *
 * <p>It keeps no journal (starting one must stay cheap: a backfill touches millions of them) and
 * works on one request at a time, stashing the others. It remembers how each job's request last
 * ended, so that a retried ask (the first answer was lost or late) gets the same answer instead of
 * being counted as skipped, and so that a job whose ask went unanswered can find out whether the
 * request ever arrived ({@link CheckOn}).
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

  public sealed interface Command extends CborSerializable {}

  /**
   * What jobs send, each an ask that its job repeats when unanswered: the only messages that can
   * overflow the entity's mailbox.
   */
  public sealed interface Request extends Command {}

  /** Analyse this call for this job and answer how it ended. */
  public record Process(
      String jobId,
      CallRow call,
      String processor,
      int version,
      Map<String, String> parameters,
      int attempt,
      ActorRef<Answer> replyTo)
      implements Request {}

  /**
   * What became of this job's request for the call? Sent when a {@link Process} got no answer in
   * time: the answer tells a request that never arrived (lost on the way) from one that is still
   * in the works or ended while its asker had stopped listening.
   */
  public record CheckOn(String jobId, String processor, int version, ActorRef<Answer> replyTo)
      implements Request {}

  /**
   * The answer to a {@link Process} or a {@link CheckOn}: the call's outcome, or, when it has none
   * (yet), the setback and its reason.
   */
  public record Answer(CallOutcome outcome, Setback setback, String reason) implements CborSerializable {

    public static Answer finished(CallOutcome outcome) {
      return new Answer(outcome, null, null);
    }

    public static Answer notFinished(Setback setback, String reason) {
      return new Answer(null, setback, CallOutcome.shorten(reason));
    }
  }

  /** Why a request has no outcome. The job decides from {@link #callsOwn()} whether to wait or to give up. */
  public enum Setback {
    /** A store did not answer (a timeout, Cassandra unavailable): it passes by itself. */
    STORE_UNAVAILABLE(false),
    /** The entity holds as many requests as it may; asked again later, it takes this one. */
    BUSY(false),
    /** (to a CheckOn) The entity has the request and has not finished it yet. */
    IN_PROGRESS(false),
    /**
     * Processing this call failed for a reason of its own: its data hits a bug or a limit of the
     * engine, so asking again fails the same way.
     */
    CALL_FAILED(true),
    /**
     * (to a CheckOn) The entity answers, but never received the request: the message was lost on
     * its way (larger than a frame between nodes, not serializable, or dropped by a full mailbox).
     */
    NEVER_RECEIVED(true);

    private final boolean callsOwn;

    Setback(boolean callsOwn) {
      this.callsOwn = callsOwn;
    }

    /** Whether the trouble is the call's own (it may never succeed), not the stores' or the cluster's. */
    public boolean callsOwn() {
      return callsOwn;
    }
  }

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

  /** What the entity does with a request: {@link CallProcessing} on a node. */
  @FunctionalInterface
  public interface Work {
    /**
     * @return the call's outcome; a failed stage is a setback, classified by {@link
     *     CallProcessing#isStoreFailure}
     */
    CompletionStage<CallOutcome> process(
        String jobId,
        CallRow call,
        String processor,
        int version,
        Map<String, String> parameters,
        int attempt);
  }

  /**
   * @param stashCapacity requests an entity holds while it works on one (the mailbox's own bound
   *     is backfill.calls.mailbox-capacity)
   */
  public static void init(ActorSystem<?> system, Work work, int stashCapacity) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, entityContext -> create(work, stashCapacity))
                .withStopMessage(Passivate.INSTANCE)
                .withEntityProps(mailbox()));
  }

  /**
   * The entity's mailbox: a request that overflows it goes to dead letters (its job's ask times out
   * and is retried); the entity's own messages never do.
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
  /** The last answer to each job's request (by {@link #requestKey}). */
  private final Map<String, Answer> answers = new HashMap<>();
  /** The request being worked on; null when idle. */
  private Process current;
  private boolean passivating;

  private CallEntity(ActorContext<Command> context, StashBuffer<Command> stash, Work work) {
    super(context);
    this.stash = stash;
    this.work = work;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Process.class, this::onProcess)
        .onMessage(CheckOn.class, this::onCheckOn)
        .onMessage(WorkFinished.class, this::onWorkFinished)
        .onMessage(Passivate.class, this::onPassivate)
        .build();
  }

  private Behavior<Command> onProcess(Process request) {
    Answer earlier = answers.get(requestKey(request));
    // A failed call is analysed again when asked again, which is what retry-failed wants once its
    // data has been fixed (and gives the same answer otherwise).
    if (earlier != null && earlier.outcome() != null && earlier.outcome().status() != Status.FAILED) {
      request.replyTo().tell(earlier);
      return this;
    }
    if (current != null) {
      if (stash.isFull()) {
        Answer busy = Answer.notFinished(Setback.BUSY, "the call's entity holds " + stash.size() + " requests already");
        // Remembered too: a check on it must not read as a request that never arrived.
        answers.put(requestKey(request), busy);
        request.replyTo().tell(busy);
      } else {
        stash.stash(request);
      }
      return this;
    }
    start(request);
    return this;
  }

  private void start(Process request) {
    current = request;
    CompletionStage<CallOutcome> outcome;
    try {
      outcome =
          work.process(
              request.jobId(),
              request.call(),
              request.processor(),
              request.version(),
              request.parameters(),
              request.attempt());
    } catch (RuntimeException e) {
      // Thrown before any work started: this call's data hit a bug. It is answered like any other
      // failure; a crash would stop the entity and leave every ask for the call unanswered.
      outcome = CompletableFuture.failedFuture(e);
    }
    getContext().pipeToSelf(outcome, (done, failure) -> new WorkFinished(request, done, failure));
  }

  private Behavior<Command> onWorkFinished(WorkFinished finished) {
    current = null;
    Process request = finished.request();
    Answer answer;
    if (finished.failure() != null) {
      Setback setback =
          CallProcessing.isStoreFailure(finished.failure()) ? Setback.STORE_UNAVAILABLE : Setback.CALL_FAILED;
      answer = Answer.notFinished(setback, rootMessage(finished.failure()));
    } else if (finished.outcome() == null) {
      answer = Answer.notFinished(Setback.CALL_FAILED, "processing ended without an outcome");
    } else {
      answer = Answer.finished(finished.outcome());
    }
    answers.put(requestKey(request), answer);
    request.replyTo().tell(answer);
    if (passivating && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    return stash.unstashAll(this);
  }

  private Behavior<Command> onCheckOn(CheckOn check) {
    String key = requestKey(check.jobId(), check.processor(), check.version());
    Answer last = answers.get(key);
    Answer answer;
    if (current != null && requestKey(current).equals(key)) {
      answer = Answer.notFinished(Setback.IN_PROGRESS, "the call's entity is still processing the request");
    } else if (stash.anyMatch(held -> held instanceof Process waiting && requestKey(waiting).equals(key))) {
      answer = Answer.notFinished(Setback.IN_PROGRESS, "the request waits behind another one for the call");
    } else if (last != null) {
      answer = last;
    } else {
      answer = Answer.notFinished(Setback.NEVER_RECEIVED, "the call's entity never received the request");
    }
    check.replyTo().tell(answer);
    return this;
  }

  private Behavior<Command> onPassivate(Passivate passivate) {
    if (current == null && stash.isEmpty()) {
      return Behaviors.stopped();
    }
    passivating = true;
    return this;
  }

  private static String requestKey(Process request) {
    return requestKey(request.jobId(), request.processor(), request.version());
  }

  private static String requestKey(String jobId, String processor, int version) {
    return jobId + '/' + processor + '/' + version;
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause.getClass().getSimpleName() + ": " + cause.getMessage();
  }
}
