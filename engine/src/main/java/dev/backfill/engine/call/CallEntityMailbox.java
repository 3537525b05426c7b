package dev.backfill.engine.call;

import com.typesafe.config.Config;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.DeadLetter;
import org.apache.pekko.dispatch.Envelope;
import org.apache.pekko.dispatch.MailboxType;
import org.apache.pekko.dispatch.MessageQueue;
import org.apache.pekko.dispatch.ProducesMessageQueue;
import scala.Option;

/**
 * The call entity's mailbox: bounded for what jobs send, never for the entity's own messages.
 *
 * <p>A {@link CallEntity.Request} (a job's Process or RecordFailed) that finds {@code
 * mailbox-capacity} requests queued goes to dead letters, as in Pekko's NonBlockingBoundedMailbox:
 * it is an ask, and its job asks again. Every other message is always queued. Those are the end of the entity's
 * work (pipeToSelf's message) and sharding's stop message: in a mailbox that drops anything, a
 * dropped end of work leaves the entity working forever (each later request stashed, then refused
 * as busy), and a dropped stop message leaves its shard holding the entity's messages for an entity
 * that never stops. Neither can pile up: the entity works on one request at a time, and is stopped
 * once, so the queue holds at most {@code mailbox-capacity} requests and a few of these.
 *
 * <p>Configured at {@link CallEntity#MAILBOX_CONFIG} ({@code backfill.calls.mailbox}).
 */
public final class CallEntityMailbox
    implements MailboxType, ProducesMessageQueue<CallEntityMailbox.RequestBoundedQueue> {

  private final int capacity;

  /** Pekko makes the mailbox type from its configuration block with this constructor. */
  public CallEntityMailbox(ActorSystem.Settings settings, Config config) {
    this(config.getInt("mailbox-capacity"));
  }

  CallEntityMailbox(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a call entity's mailbox-capacity must be at least 1, was " + capacity);
    }
    this.capacity = capacity;
  }

  @Override
  public MessageQueue create(Option<ActorRef> owner, Option<ActorSystem> system) {
    if (system.isEmpty()) {
      throw new IllegalArgumentException("a call entity's mailbox sends its overflow to the system's dead letters");
    }
    return new RequestBoundedQueue(capacity, system.get().deadLetters());
  }

  /** One entity's queue: requests counted against the capacity, everything else always taken. */
  public static final class RequestBoundedQueue implements MessageQueue {

    private final int capacity;
    private final ActorRef deadLetters;
    private final Queue<Envelope> queue = new ConcurrentLinkedQueue<>();
    /** Requests queued, or about to be: at most the capacity, whatever the producers do at once. */
    private final AtomicInteger requests = new AtomicInteger();

    RequestBoundedQueue(int capacity, ActorRef deadLetters) {
      this.capacity = capacity;
      this.deadLetters = deadLetters;
    }

    @Override
    public void enqueue(ActorRef receiver, Envelope handle) {
      if (handle.message() instanceof CallEntity.Request && !takeRequestPlace()) {
        deadLetters.tell(new DeadLetter(handle.message(), handle.sender(), receiver), handle.sender());
        return;
      }
      queue.add(handle);
    }

    @Override
    public Envelope dequeue() {
      Envelope next = queue.poll();
      if (next != null && next.message() instanceof CallEntity.Request) {
        requests.decrementAndGet();
      }
      return next;
    }

    @Override
    public int numberOfMessages() {
      return queue.size();
    }

    @Override
    public boolean hasMessages() {
      return !queue.isEmpty();
    }

    @Override
    public void cleanUp(ActorRef owner, MessageQueue deadLetters) {
      for (Envelope left = dequeue(); left != null; left = dequeue()) {
        deadLetters.enqueue(owner, left);
      }
    }

    private boolean takeRequestPlace() {
      while (true) {
        int queued = requests.get();
        if (queued >= capacity) {
          return false;
        }
        if (requests.compareAndSet(queued, queued + 1)) {
          return true;
        }
      }
    }
  }
}
