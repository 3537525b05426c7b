package dev.backfill.engine.job;

import dev.backfill.engine.concurrent.OnCompletingThread;
import dev.backfill.engine.governor.GovernedPrimary;
import dev.backfill.engine.job.JobState.Active;
import dev.backfill.engine.source.PrimaryCallSource;
import dev.backfill.protocol.job.JobTuning;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.Materializer;

/**
 * One run of a job, a child of its {@link JobSupervisor}: the job's scope counted first if it has
 * none yet, then its pipeline, until the pipeline ends or the job stops the run. Everything a run
 * starts (the scope query and its retries, the stream and its materializer, lease waits, asks of
 * call entities, the address block readers send news to) belongs to this actor, so stopping it
 * forgets the run: the job keeps of it only this actor's reference, whether it asked it to stop,
 * and the reasons it last heard from it.
 *
 * <p>It tells the job, always with its own reference so that the job can ignore a run it has
 * already forgotten: the scope once counted ({@link JobSupervisor.RunScoped}, and it waits for the
 * job to record it and say {@link Go}), why the governor holds it back or a store stalls it
 * (when the reason changes, not on every refusal), and its end ({@link JobSupervisor.RunEnded}),
 * after which it stops. Checkpoints go to the job directly: recording them is the job's.
 */
final class JobRun extends AbstractBehavior<JobRun.Command> {

  sealed interface Command {}

  /** The job recorded the scope this run counted: run the pipeline from {@code state}. */
  record Go(Active state) implements Command {}

  /**
   * Stop taking calls and reading (see {@link JobPipeline.Run#stop()}); answers once that has taken
   * effect. The calls in flight finish and are checkpointed, then the run ends as stopped.
   */
  record Stop(ActorRef<Done> replyTo) implements Command {}

  /** The job's priority or cap changed: the next lease claims the new share. */
  record Retune(JobTuning tuning) implements Command {}

  private record Counted(PrimaryCallSource.Scope scope, Throwable failure) implements Command {}

  private record PipelineEnded(Throwable failure) implements Command {}

  private record ReaderNews(BlockReader.News news) implements Command {}

  /** How long the scope query waits after the primary failed to answer it: 0.5 s, doubling. */
  private static final Duration RECOUNT_MIN = Duration.ofMillis(500);

  private static final Duration RECOUNT_MAX = Duration.ofSeconds(15);

  /**
   * Starts a run of the job in {@code state}: it counts the job's scope if the job needs one,
   * otherwise it runs the pipeline at once.
   */
  static Behavior<Command> create(
      String jobId, JobRuntime runtime, ActorRef<JobSupervisor.Command> job, Active state) {
    return Behaviors.setup(context -> new JobRun(context, jobId, runtime, job, state));
  }

  /** Whether a run of the job in {@code state} counts its scope before it reads pages. */
  static boolean needsScope(Active state) {
    // A retry of failed calls reads them by id, up to the watermark: it needs no scope.
    return !state.started() || (!state.scoped() && !state.retryingFailed());
  }

  private final String jobId;
  private final JobRuntime runtime;
  private final ActorRef<JobSupervisor.Command> job;
  /** This run's reference, for the stream's threads (the context is the actor's alone). */
  private final ActorRef<Command> self;
  private final AtomicReference<GovernedPrimary.Claim> claim = new AtomicReference<>();
  private final AtomicReference<String> lastHeldBack = new AtomicReference<>();
  private final AtomicReference<String> lastStalled = new AtomicReference<>();
  /** Set when the run stops: the scope query's lease wait and retries give up. */
  private final AtomicBoolean stopped = new AtomicBoolean();
  private JobPipeline.Run pipeline;
  /** Done once a stop has taken effect, or null before one was asked for. */
  private CompletionStage<Done> stopTookEffect;

  private JobRun(
      ActorContext<Command> context,
      String jobId,
      JobRuntime runtime,
      ActorRef<JobSupervisor.Command> job,
      Active state) {
    super(context);
    this.jobId = jobId;
    this.runtime = runtime;
    this.job = job;
    this.self = context.getSelf();
    retune(state.tuning());
    if (needsScope(state)) {
      countScope(state);
    } else {
      startPipeline(state);
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Counted.class, this::onCounted)
        .onMessage(Go.class, this::onGo)
        .onMessage(Stop.class, this::onStop)
        .onMessage(Retune.class, command -> { retune(command.tuning()); return this; })
        .onMessage(ReaderNews.class, this::onReaderNews)
        .onMessage(PipelineEnded.class, command -> ended(command.failure()))
        .onSignal(PostStop.class, signal -> abandon())
        .build();
  }

  /**
   * Reads the job's scope under a lease, asking again with backoff while the primary does not
   * answer (the job shows STALLED meanwhile): one statement gives the count and the highest id.
   */
  private void countScope(Active state) {
    getContext()
        .pipeToSelf(
            Retries.untilSuccess(
                () ->
                    runtime
                        .primary()
                        .underLease(
                            claim::get,
                            1,
                            (slot, rows) -> runtime.callSource().scope(state.spec(), slot),
                            scope -> new GovernedPrimary.Cost(0, -1),
                            this::reportHeldBack,
                            stopped::get),
                RECOUNT_MIN,
                RECOUNT_MAX,
                (attempt, failure) ->
                    reportStalled(
                        "the primary does not answer (attempt " + attempt + "), so the job's calls cannot be counted: "
                            + JobFailures.message(failure)),
                stopped::get,
                PrimaryCallSource::isPermanent,
                getContext().getSystem()),
            Counted::new);
  }

  /** Heard only while the run goes on: a stop ends the run at once (see onStop). */
  private Behavior<Command> onCounted(Counted command) {
    reportStalled(null);
    if (command.failure() != null) {
      job.tell(new JobSupervisor.ScopeRefused(self, command.failure()));
      return Behaviors.stopped();
    }
    job.tell(new JobSupervisor.RunScoped(self, command.scope()));
    return this;
  }

  private Behavior<Command> onGo(Go command) {
    if (stopped.get()) {
      return endStopped();
    }
    startPipeline(command.state());
    return this;
  }

  private void startPipeline(Active state) {
    var askTimeout = runtime.settings().calls().askTimeout().multipliedBy(2);
    var system = getContext().getSystem();
    var pipelineOfJob =
        new JobPipeline(
            jobId, state.spec(), runtime, claim::get, this::reportHeldBack, this::reportStalled, readerNews(), system);
    JobPipeline.Checkpoints checkpoints =
        batch ->
            OnCompletingThread.of(
                AskPattern.ask(
                    job,
                    (ActorRef<Done> replyTo) -> new JobSupervisor.RecordProgress(batch, replyTo),
                    askTimeout,
                    system.scheduler()));
    // Runs this run's stream, and stops it with this actor.
    Materializer materializer = Materializer.createMaterializer(getContext());
    // With the governor's first lease and the journal's next checkpoint, this line times a job's
    // move to another node in the node logs (./backfill chaos times it from the kill).
    getContext()
        .getLog()
        .info(
            state.retryingFailed()
                ? "job {} re-drives its failed calls on this node, up to call id {}"
                : "job {} runs on this node from call id {}",
            jobId,
            state.watermark());
    pipeline =
        state.retryingFailed()
            ? pipelineOfJob.runRetryOfFailed(state.watermark(), state.counts().scanned(), checkpoints, materializer)
            : pipelineOfJob.run(
                state.watermark(), state.lastCallId(), state.counts().finished(), checkpoints, materializer);
    getContext().pipeToSelf(pipeline.done(), (done, failure) -> new PipelineEnded(failure));
  }

  private Behavior<Command> onStop(Stop command) {
    if (stopTookEffect == null) {
      stopped.set(true);
      // Counting: its lease wait and retries give up at the flag, and its end ends the run.
      stopTookEffect = pipeline != null ? pipeline.stop() : CompletableFuture.completedFuture(Done.getInstance());
    }
    stopTookEffect.whenComplete((done, failure) -> command.replyTo().tell(Done.getInstance()));
    if (pipeline == null) {
      // Counting, or counted and not yet told to go on: no page was read, so nothing drains. A
      // count under way gives up at the flag; if it ends first, its scope is not heard (the next
      // run counts again).
      return endStopped();
    }
    return this;
  }

  /** Stopped before its pipeline started: it read no page, so it ends at once. */
  private Behavior<Command> endStopped() {
    job.tell(new JobSupervisor.RunEnded(self, true, null));
    return Behaviors.stopped();
  }

  private Behavior<Command> ended(Throwable failure) {
    pipeline = null;
    job.tell(new JobSupervisor.RunEnded(self, stopped.get(), failure));
    return Behaviors.stopped();
  }

  /**
   * Stopped by the job (a restart, a stop, a hand-off that ran out of time) or ended: what it
   * started must not go on asking the governor for leases or call entities for outcomes on the
   * job's behalf (its stream dies with its materializer, but a lease wait and a call's retries run
   * outside the stream).
   */
  private Behavior<Command> abandon() {
    stopped.set(true);
    if (pipeline != null) {
      pipeline.abandon();
    }
    return this;
  }

  private void retune(JobTuning tuning) {
    claim.set(new GovernedPrimary.Claim(jobId, tuning.priority(), tuning.maxCallsPerSecond()));
  }

  /** Where the job's block readers, maybe on other nodes, say why they are held back or stalled. */
  private ActorRef<BlockReader.News> readerNews() {
    return getContext().messageAdapter(BlockReader.News.class, ReaderNews::new);
  }

  private Behavior<Command> onReaderNews(ReaderNews command) {
    if (command.news().heldBack()) {
      reportHeldBack(command.news().reason());
    } else {
      reportStalled(command.news().reason());
    }
    return this;
  }

  /** Tells the job when the reason it is held back changes (not on every refusal). Any thread. */
  private void reportHeldBack(String reason) {
    if (!Objects.equals(lastHeldBack.getAndSet(reason), reason)) {
      job.tell(new JobSupervisor.HeldBack(self, reason));
    }
  }

  /** Tells the job when the reason it stalls changes (not on every failure or success). Any thread. */
  private void reportStalled(String reason) {
    if (!Objects.equals(lastStalled.getAndSet(reason), reason)) {
      job.tell(new JobSupervisor.Stalled(self, reason));
    }
  }

}
