package dev.backfill.engine.job;

import dev.backfill.engine.call.CallEntity;
import dev.backfill.engine.call.CallShards;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * Reads one job's calls in one block of ids, a page at a time as its job asks, and has the calls
 * of each page processed by their entities. It is an entity of the call entities' type whose id
 * maps to the shard of its block's calls ({@link CallShards#readerId}), so it runs on their node:
 * the transcripts it reads go to its own node's call entities and no further, and only the page's
 * counts go back to the job.
 *
 * <p>It reads under the governor's leases, asked for from its own node (the governor's cap is the
 * same for every node), and tells the job why it is held back or stalled when that changes. It
 * works on one page at a time; the same page asked again while it works (the job's ask timed out)
 * waits for the same answer, and asked again once answered (the answer was lost) gets that answer
 * again without reading the page again, while the reader lives: sharding stops it a couple of
 * seconds after its last message once it holds no page, and a reader asked after that reads the
 * page again (its calls are then found done by this job).
 *
 * <p>While it holds a page its job tells it every half second that the page is still wanted
 * ({@link StillWanted}), which keeps sharding from stopping it as idle. A job that stops reading
 * (a pause, a hand-off's drain) says so: a lease not yet granted is not waited for, and calls
 * already read finish. A job that stopped without saying so (its node died) keeps asking no more;
 * once it has not asked for {@link #givenUpAfter} the reader gives the page up, or sharding stops
 * it as idle first, and it answers with what it has.
 */
final class BlockReader extends AbstractBehavior<CallEntity.Command> {

  /** What a job sends its block readers. */
  sealed interface Command extends CallEntity.Command {}

  /**
   * Read the job's next page after {@code afterId}, up to {@code upTo} (within this block), and
   * answer how it went once every call on it has its outcome.
   */
  record ReadPage(
      String jobId,
      JobSpec spec,
      double weight,
      Double maxRowsPerSecond,
      long afterId,
      long upTo,
      ActorRef<BlockPage.Read> replyTo,
      ActorRef<News> news)
      implements Command {

    Page page() {
      return new Page(jobId, afterId, upTo);
    }
  }

  /**
   * The job stops reading: no lease is waited for any more for this page ({@link
   * BlockPage.Read#notRead}); with {@code abandon} the calls read are given up too. Confirmed once
   * heard: from then on this page asks for no lease (one granted is handed back unused). A stop
   * that comes before its page (the two went different ways) is kept for it.
   */
  record StopReading(String jobId, long afterId, long upTo, boolean abandon, ActorRef<Done> replyTo)
      implements Command {}

  /**
   * From the job, through the reader's shard, while the reader holds a page of it: see {@link
   * JobPipeline#KEEP_ALIVE_EVERY}. The shard's delivery is what counts; the reader does nothing
   * with it.
   */
  enum StillWanted implements Command {
    INSTANCE
  }

  /** Why the reader holds back (the governor) or stalls (a store), or null when it no longer does. */
  record News(boolean heldBack, String reason) implements CborSerializable {}

  /** A page of a job, the key of the reader's work. */
  record Page(String jobId, long afterId, long upTo) {}

  private record PageDone(Page page, BlockPage.Read read, Throwable failure) implements Command {}

  /** Sharding asked the reader to stop, and its page has not finished within {@link #STOP_GRACE}. */
  private enum StopNow implements Command {
    INSTANCE
  }

  /**
   * How long a reader that sharding asks to stop goes on with its page. Its page finishes within
   * it when sharding only makes room (too many entities on the node); a page whose calls' shard is
   * moving (the reader's own) cannot, and the shard gives its entities 3 s to stop.
   */
  private static final Duration STOP_GRACE = Duration.ofMillis(1500);

  private static final int STASH_CAPACITY = 8;

  static Behavior<CallEntity.Command> create(JobRuntime runtime) {
    return Behaviors.setup(
        context -> Behaviors.withStash(STASH_CAPACITY, stash -> new BlockReader(context, stash, runtime)));
  }

  private final StashBuffer<CallEntity.Command> stash;
  private final JobRuntime runtime;
  /** How long the page in hand goes on without its job asking for it again. */
  private final long givenUpAfter;

  private Page current;
  private BlockPage.Progress progress;
  private final List<ActorRef<BlockPage.Read>> waiting = new ArrayList<>();
  private volatile long lastAskedNanos;
  private volatile boolean stopRequested;
  private volatile boolean abandonRequested;
  private volatile ActorRef<News> news;
  private volatile GovernedPrimary.Claim claim;
  private final AtomicReference<String> lastHeldBack = new AtomicReference<>();
  private final AtomicReference<String> lastStalled = new AtomicReference<>();
  private volatile long lastNewsNanos;
  private static final long NEWS_AGAIN_AFTER_NANOS = 1_000_000_000L;
  private Page lastPage;
  private boolean passivating;
  private Cancellable stopNow;
  /** A page whose stop came before it was asked: answered unread when it comes. */
  private Page stoppedBeforeAsked;
  private BlockPage.Read lastRead;

  private BlockReader(ActorContext<CallEntity.Command> context, StashBuffer<CallEntity.Command> stash, JobRuntime runtime) {
    super(context);
    this.stash = stash;
    this.runtime = runtime;
    this.givenUpAfter = JobPipeline.READER_GIVES_UP_AFTER.toNanos();
  }

  @Override
  public Receive<CallEntity.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(ReadPage.class, this::onReadPage)
        .onMessage(StopReading.class, this::onStopReading)
        .onMessage(PageDone.class, this::onPageDone)
        .onMessage(CallEntity.Passivate.class, this::onPassivate)
        .onMessage(StopNow.class, this::onStopNow)
        .onMessage(StillWanted.class, still -> this)
        .build();
  }

  private Behavior<CallEntity.Command> onReadPage(ReadPage request) {
    Page page = request.page();
    if (page.equals(lastPage)) {
      request.replyTo().tell(lastRead);
      return this;
    }
    if (page.equals(stoppedBeforeAsked)) {
      stoppedBeforeAsked = null;
      request.replyTo().tell(BlockPage.Read.notRead(page.afterId()));
      return this;
    }
    if (current != null) {
      if (page.equals(current)) {
        // The asks before this one timed out: nobody waits for their answers any more.
        waiting.clear();
        waiting.add(request.replyTo());
        asked(request);
      } else if (!stash.isFull() && !stash.anyMatch(held -> held instanceof ReadPage other && other.page().equals(page))) {
        stash.stash(request);
      }
      // else dropped: the job asks again
      return this;
    }
    current = page;
    progress = new BlockPage.Progress(page.afterId());
    waiting.add(request.replyTo());
    stopRequested = false;
    abandonRequested = false;
    asked(request);
    getContext()
        .pipeToSelf(
            BlockPage.readAndProcess(
                runtime,
                request.jobId(),
                request.spec(),
                () -> claim,
                request.afterId(),
                request.upTo(),
                progress,
                reason -> tellNews(true, reason, lastHeldBack),
                reason -> tellNews(false, reason, lastStalled),
                () -> stopRequested || abandonRequested || givenUp(),
                () -> abandonRequested || givenUp(),
                getContext().getSystem()),
            (read, failure) -> new PageDone(page, read, failure));
    return this;
  }

  private void asked(ReadPage request) {
    lastAskedNanos = System.nanoTime();
    news = request.news();
    claim = new GovernedPrimary.Claim(request.jobId(), request.weight(), request.maxRowsPerSecond());
  }

  private boolean givenUp() {
    return System.nanoTime() - lastAskedNanos > givenUpAfter;
  }

  /**
   * Tells the job why this reader waits when that changes, and again at most once a second while
   * it lasts: the job hears several readers, and another's news may have replaced this one's.
   */
  private void tellNews(boolean heldBack, String reason, AtomicReference<String> last) {
    long now = System.nanoTime();
    boolean changed = !Objects.equals(last.getAndSet(reason), reason);
    if (changed || (reason != null && now - lastNewsNanos > NEWS_AGAIN_AFTER_NANOS)) {
      lastNewsNanos = now;
      news.tell(new News(heldBack, reason));
    }
  }

  /** The page is answered or given up: whatever this reader said held it up is over. */
  private void clearNews() {
    if (lastHeldBack.get() != null) {
      tellNews(true, null, lastHeldBack);
    }
    if (lastStalled.get() != null) {
      tellNews(false, null, lastStalled);
    }
  }

  private Behavior<CallEntity.Command> onStopReading(StopReading stop) {
    Page page = new Page(stop.jobId(), stop.afterId(), stop.upTo());
    if (page.equals(current)) {
      stopRequested = true;
      abandonRequested |= stop.abandon();
    } else if (!page.equals(lastPage)) {
      stoppedBeforeAsked = page;
    }
    stop.replyTo().tell(Done.getInstance());
    return this;
  }

  private Behavior<CallEntity.Command> onPageDone(PageDone done) {
    if (done.failure() == null) {
      if (done.read().wasRead() || done.read().refusal() != null) {
        // Not a page left unread by a stop: asked again, that one is read.
        lastPage = done.page();
        lastRead = done.read();
      }
      waiting.forEach(replyTo -> replyTo.tell(done.read()));
    }
    // A failed page was given up (nobody waits for it) or is not answered: the job asks again.
    waiting.clear();
    clearNews();
    current = null;
    if (passivating) {
      // Not left to reach dead letters, where it would crowd out the ones worth logging.
      stopNow.cancel();
      return Behaviors.stopped();
    }
    return stash.unstashAll(this);
  }

  /**
   * Sharding stops the reader: it makes room for other entities, or the reader's shard moves to
   * another node (a node leaves or joins). A page in hand goes on for {@link #STOP_GRACE}: when
   * it finishes, its answer goes out and the reader stops. Otherwise the reader answers with the
   * calls of the page finished so far and stops: waiting longer would wait for call entities of
   * its own shard, whose messages sharding holds until the shard has moved, which waits for this
   * reader. The job asks the rest of the page of the reader at the shard's new home.
   */
  private Behavior<CallEntity.Command> onPassivate(CallEntity.Passivate passivate) {
    if (current == null) {
      return Behaviors.stopped();
    }
    if (!passivating) {
      passivating = true;
      stopNow = getContext().scheduleOnce(STOP_GRACE, getContext().getSelf(), StopNow.INSTANCE);
    }
    return this;
  }

  private Behavior<CallEntity.Command> onStopNow(StopNow graceOver) {
    if (current != null) {
      abandonRequested = true;
      BlockPage.Read soFar = progress.soFar();
      waiting.forEach(replyTo -> replyTo.tell(soFar));
      clearNews();
    }
    return Behaviors.stopped();
  }
}
