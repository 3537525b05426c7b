package dev.backfill.engine.job;

import dev.backfill.engine.job.JobEvent.FailedCallsRetryStarted;
import dev.backfill.engine.job.JobEvent.JobCancelled;
import dev.backfill.engine.job.JobEvent.JobCompleted;
import dev.backfill.engine.job.JobEvent.JobFailed;
import dev.backfill.engine.job.JobEvent.JobPaused;
import dev.backfill.engine.job.JobEvent.JobResumed;
import dev.backfill.engine.job.JobEvent.JobScoped;
import dev.backfill.engine.job.JobEvent.JobStarted;
import dev.backfill.engine.job.JobEvent.JobSubmitted;
import dev.backfill.engine.job.JobEvent.JobTuned;
import dev.backfill.engine.job.JobEvent.ProgressRecorded;
import dev.backfill.engine.job.JobState.Active;
import dev.backfill.engine.job.JobState.Blank;
import dev.backfill.engine.job.JobState.Finished;
import dev.backfill.protocol.CborSerializable;
import dev.backfill.protocol.job.JobPhase;
import dev.backfill.protocol.job.JobSpec;
import dev.backfill.protocol.job.JobTuning;
import dev.backfill.engine.source.PrimaryCallSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.EventRejectedException;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.JournalPersistRejected;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One backfill job, event-sourced in the engine's journal database and sharded by job id.
 *
 * <p>Each run of the job is a child actor, a {@link JobRun}: it fixes the job's scope first if the
 * job has none (how many calls match its filters, and the highest id among them: the job ends
 * there, however many calls are recorded while it runs), then runs the {@link JobPipeline}, and
 * this actor records the scope and a checkpoint for every batch of finished calls. This actor
 * holds the job (its state, and so its status, is the fold of its events) and of its run only the
 * child's reference and what it said last: stopping the child forgets the run. After a restart it resumes the pipeline just after the
 * last checkpoint; the few calls processed after that checkpoint are processed again, which the
 * idempotent result store makes harmless. A job journaled before jobs had a scope gets one on its
 * next start, before it reads another page.
 *
 * <p>A journal that is down or too slow never fails the job: it stalls, saying why, and goes on
 * from the last checkpoint the journal accepted. A journal that fails or rejects a write restarts
 * this actor with backoff; a checkpoint it does not take in time ends the run, and the job runs
 * again from that checkpoint after a backoff of its own. A primary that does not answer stalls
 * the job the same way. Only a failure of the job itself (not of a store it waits for) is recorded
 * as {@link JobFailed}: a query of the job's that the primary refuses for good (its filters hold a
 * value the primary rejects, its table is gone), which no retry could get through.
 *
 * <p>Beside it: how jobs are sharded and remembered ({@link JobSharding}), and three pieces of
 * this actor's own state, each kept by it alone: the run it knows of ({@link CurrentRun}), its
 * journal's trouble ({@link JournalHealth}) and its letting go ({@link LettingGo}).
 */
public final class JobSupervisor
    extends EventSourcedBehaviorWithEnforcedReplies<JobSupervisor.Command, JobEvent, JobState> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "Job");

  public sealed interface Command extends CborSerializable {}

  /** {@code tuning} null means the default. */
  public record Submit(JobSpec spec, JobTuning tuning, ActorRef<StatusReply<Accepted>> replyTo)
      implements Command {}

  /** What an operator can do to a job that has not finished. */
  public enum Action {
    PAUSE,
    RESUME,
    CANCEL
  }

  /**
   * Pause (stop reading and processing, keep the checkpoint), resume (go on from it) or cancel (stop
   * for good). Pausing a paused job or resuming a running one changes nothing. Answers the status.
   */
  public record Control(Action action, ActorRef<StatusReply<JobStatus>> replyTo) implements Command {}

  /** Re-drive the calls of a completed job that ended failed; answers the job's status. */
  public record RetryFailed(ActorRef<StatusReply<JobStatus>> replyTo) implements Command {}

  /** Change a running job's priority and cap; answers the job's status. */
  public record Tune(JobTuning tuning, ActorRef<StatusReply<JobStatus>> replyTo) implements Command {}

  public record Accepted(String jobId) implements CborSerializable {}

  public record GetStatus(ActorRef<JobStatus> replyTo) implements Command {}

  record RecordProgress(JobPipeline.Batch batch, ActorRef<Done> replyTo) implements Command {}

  private enum Begin implements Command {
    INSTANCE
  }

  private enum PassivateIdle implements Command {
    INSTANCE
  }

  /*
   * What a run (a JobRun child) tells its job, with its own reference: a message of a run the job
   * has forgotten (stopped, or before a restart) is ignored.
   */

  /** The run counted the job's scope, to be recorded before it reads a page. */
  record RunScoped(ActorRef<JobRun.Command> run, PrimaryCallSource.Scope scope) implements Command {}

  /** The primary refused the scope query for good; the run has ended. */
  record ScopeRefused(ActorRef<JobRun.Command> run, Throwable failure) implements Command {}

  /**
   * The run ended: {@code stopped} if the job had stopped it (then its end is not the job's end),
   * otherwise done (no failure) or failed.
   */
  record RunEnded(ActorRef<JobRun.Command> run, boolean stopped, Throwable failure) implements Command {}

  /** Why the governor holds the run back now, or null once it lets it go. */
  record HeldBack(ActorRef<JobRun.Command> run, String reason) implements Command {}

  /** Why the run waits for a store that does not answer, or null once it gets through again. */
  record Stalled(ActorRef<JobRun.Command> run, String reason) implements Command {}

  /** The run's actor stopped (after it told its end, or because it failed). */
  private record RunStopped(ActorRef<JobRun.Command> run) implements Command {}

  /** A hand-off that is still draining by now stops anyway (see onHandOff). */
  private enum HandOffDeadline implements Command {
    INSTANCE
  }

  /**
   * Sent by sharding when this job's shard moves to another node (a rebalance, or this node
   * leaving): the job drains its pipeline, so its last checkpoint covers every call it took, and
   * stops; its shard, started on the new node, starts it again there (sharding remembers it), and
   * it goes on from that checkpoint. Also sent when the job asked to be let go (see letGo).
   */
  enum HandOff implements Command {
    INSTANCE
  }

  /**
   * How long a hand-off (a rebalance, or this node leaving gracefully) may drain before the job
   * stops anyway: under the 3 s sharding gives entities to stop (handoff-timeout, 8 s in
   * cluster.conf, less 5 s), after which it stops them itself.
   * The calls in flight (at most calls.parallelism) take a fraction of it; any still in flight then
   * are asked again elsewhere (found done by this job, not analysed again). A node that is downed drains nothing: its shard
   * regions stop their entities at once, and the cluster's down-removal-margin keeps the majority
   * from starting them elsewhere before that.
   */
  private static final Duration HAND_OFF_DRAIN = Duration.ofSeconds(2);

  /**
   * A finished job's entity, started again by a question, stays this long after its last one, then
   * lets itself go. (When the job finishes, it lets itself go at once.)
   */
  private static final Duration FINISHED_IDLE = Duration.ofSeconds(60);

  /** How this actor restarts when its journal fails or rejects a write, or cannot be read. */
  private static final BackoffSupervisorStrategy JOURNAL_RESTART =
      SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);

  public static Behavior<Command> create(
      String jobId, ActorRef<ClusterSharding.ShardCommand> shard, JobRuntime runtime) {
    return Behaviors.setup(
        outer -> {
          JournalHealth journal = new JournalHealth();
          LettingGo lettingGo = new LettingGo(jobId, shard);
          // A write the journal rejects (rather than fails) escapes the event-sourced behavior's
          // own supervision and would stop the job until something woke it; it restarts too.
          return Behaviors.supervise(
                  Behaviors.<Command>setup(
                      context ->
                          Behaviors.withTimers(
                              timers ->
                                  new JobSupervisor(jobId, context, timers, runtime, journal, lettingGo))))
              .onFailure(EventRejectedException.class, JOURNAL_RESTART);
        });
  }

  private final String jobId;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final JobRuntime runtime;
  private final JournalHealth journal;
  private final LettingGo lettingGo;
  /** The run under way, or null: all the job knows of a run, forgotten with it. */
  private CurrentRun run;
  /** Handing off: once its run has drained, the job stops (its shard starts it elsewhere). */
  private boolean handingOff;

  private JobSupervisor(
      String jobId,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      JobRuntime runtime,
      JournalHealth journal,
      LettingGo lettingGo) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), jobId), JOURNAL_RESTART);
    this.jobId = jobId;
    this.context = context;
    this.timers = timers;
    this.runtime = runtime;
    this.journal = journal;
    this.lettingGo = lettingGo;
  }

  @Override
  public JobState emptyState() {
    return new Blank();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(50, 2);
  }

  @Override
  public SignalHandler<JobState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              forgetRuntimeState();
              if (state instanceof Active active && !active.paused()) {
                context.getSelf().tell(Begin.INSTANCE);
              } else if (!(state instanceof Active)) {
                // Started by a question, or by its shard, which still remembered it (its node went
                // away between its end and its letting go): it does not stay for good.
                timers.startSingleTimer(PassivateIdle.INSTANCE, FINISHED_IDLE);
              }
            })
        // Each of these restarts the actor (with backoff) once the handler returns.
        .onSignal(
            JournalPersistFailed.class,
            (state, signal) -> journal.failed(state, "the journal failed a write", signal.getFailure()))
        .onSignal(
            JournalPersistRejected.class,
            (state, signal) -> journal.failed(state, "the journal rejected a write", signal.getFailure()))
        .onSignal(
            RecoveryFailed.class,
            (state, signal) -> journal.failed(state, "the journal cannot be read", signal.getFailure()))
        .onSignal(PreRestart.instance(), state -> stopRun())
        .onSignal(
            PostStop.instance(),
            state -> {
              stopRun();
              lettingGo.passOn(context.getSystem());
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, JobEvent, JobState> commandHandler() {
    var builder = newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Blank.class)
        .onCommand(Submit.class, (state, command) -> lettingGo.asked() ? passOn(command) : onSubmit(state, command))
        .onCommand(GetStatus.class, this::onStatusOfNothing)
        .onCommand(PassivateIdle.class, (state, command) -> passivate())
        .onCommand(HandOff.class, (state, command) -> Effect().stop().thenNoReply())
        .onCommand(
            Tune.class,
            (state, command) -> Effect().reply(command.replyTo(), StatusReply.error("no job has the id " + jobId)))
        .onCommand(
            Control.class,
            (state, command) -> Effect().reply(command.replyTo(), StatusReply.error("no job has the id " + jobId)))
        .onCommand(
            RetryFailed.class,
            (state, command) -> Effect().reply(command.replyTo(), StatusReply.error("no job has the id " + jobId)))
        .onAnyCommand(command -> Effect().noReply());
    builder
        .forStateType(Active.class)
        .onCommand(Submit.class, (state, command) -> onSubmitAgain(state.spec(), command))
        .onCommand(GetStatus.class, this::onStatusWhenActive)
        .onCommand(Tune.class, this::onTune)
        .onCommand(Control.class, this::onControl)
        .onCommand(
            RetryFailed.class,
            (state, command) ->
                Effect()
                    .reply(
                        command.replyTo(),
                        StatusReply.error("job " + jobId + " is still running: retry its failed calls once it completes")))
        .onCommand(HeldBack.class, this::onHeldBack)
        .onCommand(Stalled.class, this::onStalled)
        .onCommand(Begin.class, this::onBegin)
        .onCommand(RunScoped.class, this::onRunScoped)
        .onCommand(ScopeRefused.class, this::onScopeRefused)
        .onCommand(RecordProgress.class, this::onProgress)
        .onCommand(RunEnded.class, this::onRunEnded)
        .onCommand(RunStopped.class, this::onRunStopped)
        .onCommand(HandOff.class, this::onHandOff)
        .onCommand(HandOffDeadline.class, this::onHandOffDeadline)
        .onAnyCommand(command -> Effect().noReply());
    builder
        .forStateType(Finished.class)
        .onCommand(Submit.class, (state, command) -> onSubmitAgain(state.spec(), command))
        .onCommand(GetStatus.class, this::onStatusWhenFinished)
        .onCommand(
            Tune.class,
            (state, command) ->
                Effect()
                    .reply(
                        command.replyTo(),
                        StatusReply.error("job " + jobId + " has finished (" + state.phase() + ")")))
        .onCommand(
            Control.class,
            (state, command) ->
                Effect()
                    .reply(
                        command.replyTo(),
                        StatusReply.error("job " + jobId + " has finished (" + state.phase() + ")")))
        .onCommand(
            RetryFailed.class, (state, command) -> lettingGo.asked() ? passOn(command) : onRetryFailed(state, command))
        .onCommand(RecordProgress.class, (state, command) -> Effect().reply(command.replyTo(), Done.getInstance()))
        .onCommand(PassivateIdle.class, (state, command) -> passivate())
        .onCommand(RunEnded.class, this::onRunEnded)
        .onCommand(RunStopped.class, this::onRunStopped)
        .onCommand(HandOff.class, this::onHandOff)
        .onCommand(HandOffDeadline.class, this::onHandOffDeadline)
        .onAnyCommand(command -> Effect().noReply());
    return builder.build();
  }

  @Override
  public EventHandler<JobState, JobEvent> eventHandler() {
    var builder = newEventHandlerBuilder();
    builder.forStateType(Blank.class).onEvent(JobSubmitted.class, Blank::apply);
    builder.forStateType(Active.class).onAnyEvent((state, event) -> ((Active) state).apply(event));
    builder.forStateType(Finished.class).onEvent(FailedCallsRetryStarted.class, Finished::apply);
    return builder.build();
  }

  private ReplyEffect<JobEvent, JobState> onSubmit(Blank state, Submit command) {
    timers.cancel(PassivateIdle.INSTANCE);
    JobTuning tuning = command.tuning() == null ? JobTuning.DEFAULT : command.tuning();
    return Effect()
        .persist(new JobSubmitted(command.spec(), tuning, Instant.now()))
        .thenRun(newState -> context.getSelf().tell(Begin.INSTANCE))
        .thenReply(command.replyTo(), newState -> StatusReply.success(new Accepted(jobId)));
  }

  /** A repeated submit (a client retrying) is fine if it asks for the same job. */
  private ReplyEffect<JobEvent, JobState> onSubmitAgain(JobSpec spec, Submit command) {
    return Effect()
        .reply(
            command.replyTo(),
            spec.equals(command.spec())
                ? StatusReply.success(new Accepted(jobId))
                : StatusReply.error("job " + jobId + " already exists with another spec"));
  }

  private ReplyEffect<JobEvent, JobState> onStatusOfNothing(Blank state, GetStatus command) {
    // Asking about an unknown id started this entity: let it go again at once.
    letGo();
    return Effect().reply(command.replyTo(), state.status(jobId));
  }

  private ReplyEffect<JobEvent, JobState> onStatusWhenActive(Active state, GetStatus command) {
    JobStatus status = state.status(jobId);
    if (!state.paused()) {
      // A store outage explains more than the governor's pacing does, so it is shown first, and a
      // journal that takes no checkpoint first of all: nothing the job does counts meanwhile.
      String stalled = journal.trouble() != null ? journal.trouble() : run != null ? run.stalledBecause() : null;
      if (stalled != null) {
        status = status.heldBack(JobPhase.STALLED, stalled);
      } else if (run != null && run.heldBackBecause() != null) {
        status = status.heldBack(JobPhase.THROTTLED, run.heldBackBecause());
      }
    }
    return Effect().reply(command.replyTo(), status.hostedBy(nodeAddress()));
  }

  private String nodeAddress() {
    return context.getSystem().address().toString();
  }

  private ReplyEffect<JobEvent, JobState> onTune(Active state, Tune command) {
    return Effect()
        .persist(new JobTuned(command.tuning(), Instant.now()))
        .thenRun(
            newState -> {
              if (run != null) {
                run.ref.tell(new JobRun.Retune(((Active) newState).tuning()));
              }
            })
        .thenReply(command.replyTo(), newState -> StatusReply.success(newState.status(jobId)));
  }

  private ReplyEffect<JobEvent, JobState> onControl(Active state, Control command) {
    return switch (command.action()) {
      case PAUSE ->
          state.paused()
              ? Effect().reply(command.replyTo(), StatusReply.success(state.status(jobId)))
              : Effect()
                  .persist(new JobPaused(Instant.now()))
                  .thenRun(newState -> replyOnceStopped(drainRun(), command.replyTo(), newState))
                  .thenNoReply();
      case RESUME ->
          !state.paused()
              ? Effect().reply(command.replyTo(), StatusReply.success(state.status(jobId)))
              : Effect()
                  .persist(new JobResumed(Instant.now()))
                  .thenRun(newState -> context.getSelf().tell(Begin.INSTANCE))
                  .thenReply(command.replyTo(), newState -> StatusReply.success(newState.status(jobId)));
      case CANCEL ->
          Effect()
              .persist(new JobCancelled(Instant.now()))
              .thenRun(
                  newState -> {
                    replyOnceStopped(drainRun(), command.replyTo(), newState);
                    finished();
                  })
              .thenNoReply();
    };
  }

  /**
   * Answers a pause or cancel once it has taken effect: once the readers the job awaits have heard
   * of it, no lease is asked for on the job's behalf any more.
   */
  private void replyOnceStopped(
      CompletionStage<Done> stopped, ActorRef<StatusReply<JobStatus>> replyTo, JobState newState) {
    JobStatus status = newState.status(jobId);
    stopped.whenComplete((done, failure) -> replyTo.tell(StatusReply.success(status)));
  }

  /**
   * After a restart (a journal failure restarts the behavior inside this same object) nothing of
   * the previous run is ours any more: its child is stopped, and what it says meanwhile is ignored.
   */
  private void forgetRuntimeState() {
    stopRun();
    run = null;
    handingOff = false;
  }

  /**
   * Drains the run under way, if any (see {@link CurrentRun#drain}).
   *
   * @return done once the stop has taken effect, at once when no run is under way
   */
  private CompletionStage<Done> drainRun() {
    if (run == null) {
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    return run.drain(context.getSystem().scheduler());
  }

  /**
   * This actor restarts or stops: its run stops with it, giving up the calls in flight too (the
   * job goes on from its checkpoint, here or on another node).
   */
  private void stopRun() {
    if (run != null) {
      context.stop(run.ref);
    }
  }

  private ReplyEffect<JobEvent, JobState> onHandOff(JobState state, HandOff command) {
    boolean running = run != null;
    drainRun();
    if (running) {
      handingOff = true;
      timers.startSingleTimer(HandOffDeadline.INSTANCE, HAND_OFF_DRAIN);
      return Effect().noReply();
    }
    return Effect().stop().thenNoReply();
  }

  private ReplyEffect<JobEvent, JobState> onHandOffDeadline(JobState state, HandOffDeadline command) {
    context.getLog().warn("job {} stops before its drain ended: the calls after its checkpoint are redone", jobId);
    return Effect().stop().thenNoReply();
  }

  private ReplyEffect<JobEvent, JobState> onStalled(Active state, Stalled command) {
    if (!isCurrent(command.run()) || run.stopping()) {
      return Effect().noReply();
    }
    if (run.stalled(command.reason())) {
      if (command.reason() != null) {
        context.getLog().warn("job {} stalls: {}", jobId, command.reason());
      } else {
        context.getLog().info("job {} goes on", jobId);
      }
    }
    return Effect().noReply();
  }

  private ReplyEffect<JobEvent, JobState> onHeldBack(Active state, HeldBack command) {
    if (isCurrent(command.run())) {
      run.heldBack(command.reason());
    }
    return Effect().noReply();
  }

  /** The run has ended: a stop waiting for its answer has taken effect. */
  private void forgetRun() {
    run.ended();
    run = null;
  }

  /** Whether {@code ref} is the run under way, not one this job has forgotten. */
  private boolean isCurrent(ActorRef<JobRun.Command> ref) {
    return run != null && run.is(ref);
  }

  private ReplyEffect<JobEvent, JobState> onRetryFailed(Finished state, RetryFailed command) {
    if (state.phase() != JobPhase.COMPLETED || state.counts().failed() <= 0) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(
                  "job " + jobId + " has no failed calls to retry (" + state.phase() + ", "
                      + state.counts().failed() + " failed)"));
    }
    timers.cancel(PassivateIdle.INSTANCE);
    return Effect()
        .persist(new FailedCallsRetryStarted(Instant.now()))
        .thenRun(newState -> context.getSelf().tell(Begin.INSTANCE))
        .thenReply(command.replyTo(), newState -> StatusReply.success(newState.status(jobId)));
  }

  private ReplyEffect<JobEvent, JobState> onStatusWhenFinished(Finished state, GetStatus command) {
    if (!lettingGo.asked()) {
      timers.startSingleTimer(PassivateIdle.INSTANCE, FINISHED_IDLE);
    }
    return Effect().reply(command.replyTo(), state.status(jobId).hostedBy(nodeAddress()));
  }

  private ReplyEffect<JobEvent, JobState> onBegin(Active state, Begin command) {
    if (run != null || state.paused() || handingOff) {
      return Effect().noReply();
    }
    ActorRef<JobRun.Command> ref = context.spawnAnonymous(JobRun.create(jobId, runtime, context.getSelf(), state));
    context.watchWith(ref, new RunStopped(ref));
    run = new CurrentRun(ref);
    return Effect().noReply();
  }

  /**
   * Records the scope the run counted. A run stopped meanwhile still counted a true scope; only a
   * run still wanted is told to go on.
   */
  private ReplyEffect<JobEvent, JobState> onRunScoped(Active state, RunScoped command) {
    if (!isCurrent(command.run())) {
      return Effect().noReply();
    }
    PrimaryCallSource.Scope scope = command.scope();
    JobEvent fixed;
    if (state.started()) {
      context
          .getLog()
          .info(
              "job {} was started before jobs had a scope: it now ends at call {} ({} calls)",
              jobId, scope.lastCallId(), scope.calls());
      fixed = new JobScoped(scope.calls(), scope.lastCallId(), Instant.now());
    } else {
      fixed = new JobStarted(scope.calls(), scope.lastCallId(), Instant.now());
    }
    return Effect()
        .persist(fixed)
        .thenRun(
            newState -> {
              if (isCurrent(command.run()) && !run.stopping() && newState instanceof Active active && !active.paused()) {
                run.ref.tell(new JobRun.Go(active));
              }
            })
        .thenNoReply();
  }

  private ReplyEffect<JobEvent, JobState> onScopeRefused(Active state, ScopeRefused command) {
    if (!isCurrent(command.run())) {
      return Effect().noReply();
    }
    forgetRun();
    String refusal = JobFailures.refusal(command.failure());
    String reason =
        "the job's calls cannot be counted: " + (refusal != null ? refusal : JobFailures.message(command.failure()));
    context.getLog().error("job {} failed: {}", jobId, reason);
    return Effect().persist(new JobFailed(reason, Instant.now())).thenRun(newState -> finished()).thenNoReply();
  }

  private ReplyEffect<JobEvent, JobState> onProgress(Active state, RecordProgress command) {
    JobPipeline.Batch batch = command.batch();
    return Effect()
        .persist(
            new ProgressRecorded(
                batch.watermark(),
                batch.scanned(),
                batch.processed(),
                batch.skipped(),
                batch.failed(),
                Instant.now()))
        .thenRun(newState -> journal.checkpointAccepted())
        .thenReply(command.replyTo(), newState -> Done.getInstance());
  }

  private ReplyEffect<JobEvent, JobState> onRunEnded(JobState current, RunEnded command) {
    if (!isCurrent(command.run())) {
      return Effect().noReply();
    }
    // A run the job asked to stop may have ended by itself before it heard: still a stop.
    boolean stopped = command.stopped() || run.stopping();
    forgetRun();
    if (stopped) {
      if (handingOff) {
        context.getLog().info("job {} handed off after its last checkpoint", jobId);
        return Effect().stop().thenNoReply();
      }
      if (current instanceof Active active && !active.paused()) {
        // resumed while the paused run was still draining
        context.getSelf().tell(Begin.INSTANCE);
      } else if (current instanceof Finished) {
        // cancelled, and now drained
        letGo();
      }
      return Effect().noReply();
    }
    if (!(current instanceof Active state)) {
      return Effect().noReply();
    }
    if (command.failure() == null) {
      context.getLog().info("job {} completed: {}", jobId, state.counts());
      return Effect().persist(new JobCompleted(Instant.now())).thenRun(newState -> finished()).thenNoReply();
    }
    JobPipeline.CheckpointNotRecorded notRecorded =
        JobFailures.causeOf(command.failure(), JobPipeline.CheckpointNotRecorded.class);
    if (notRecorded != null) {
      return stallOnJournal(state, notRecorded);
    }
    // A page query the primary refused for good; otherwise a failure of the engine's own: pages
    // are retried while the primary does not answer, calls while their stores do not.
    String refusal = JobFailures.refusal(command.failure());
    String reason =
        refusal != null ? "a page of the job's calls cannot be read: " + refusal : JobFailures.message(command.failure());
    context.getLog().error("job {} failed: {}", jobId, reason);
    return Effect().persist(new JobFailed(reason, Instant.now())).thenRun(newState -> finished()).thenNoReply();
  }

  /**
   * The run's actor stopped without telling its end: it threw (the node's log says why). That is
   * no failure of the job, so nothing is recorded: this actor stops too, and its shard, which
   * remembers the job, starts it again after a backoff, from its last checkpoint.
   */
  private ReplyEffect<JobEvent, JobState> onRunStopped(JobState current, RunStopped command) {
    if (!isCurrent(command.run())) {
      return Effect().noReply();
    }
    throw new IllegalStateException("job " + jobId + ": its run stopped unexpectedly, see the log above");
  }

  /**
   * The run ended because the journal did not take a checkpoint in time: a slow journal, not a
   * failed job. Nothing after the last checkpoint the journal accepted is claimed (the state holds
   * only what it accepted); after a backoff the job runs again from there.
   */
  private ReplyEffect<JobEvent, JobState> stallOnJournal(Active state, Throwable notRecorded) {
    Duration wait = journal.stalledAt(state.watermark());
    context
        .getLog()
        .warn("job {} stalls on its journal, runs again from call {} in {} ms: {}",
            jobId, state.watermark(), wait.toMillis(), notRecorded.getMessage());
    timers.startSingleTimer(Begin.INSTANCE, wait);
    return Effect().noReply();
  }

  private ReplyEffect<JobEvent, JobState> passivate() {
    letGo();
    return Effect().noReply();
  }

  /**
   * The job has just finished: it lets itself go, now or, when a cancelled run is still
   * draining, once it has drained (see onRunEnded). A question about it later starts it again
   * for a while (FINISHED_IDLE).
   */
  private void finished() {
    if (run == null) {
      letGo();
    }
  }

  /** Asks the shard to stop this entity (see {@link LettingGo}). */
  private void letGo() {
    timers.cancel(PassivateIdle.INSTANCE);
    lettingGo.ask(context.getSelf());
  }

  /** A command that would change the job came after this entity asked to be let go. */
  private ReplyEffect<JobEvent, JobState> passOn(Command command) {
    lettingGo.holdForNextIncarnation(command);
    return Effect().noReply();
  }

}
