package dev.backfill.engine.job;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The run of a job under way (a {@link JobRun} child of the job's actor) and what it said last:
 * all the job knows of a run, forgotten with it. Touched by the job's actor only.
 */
final class CurrentRun {

  /**
   * How long a pause or cancel waits for its run to say the stop took effect before it answers
   * anyway (the run waits at most 3 s for block readers it cannot reach).
   */
  private static final Duration STOP_CONFIRMATION = Duration.ofSeconds(5);

  final ActorRef<JobRun.Command> ref;
  /** Asked to stop (a pause, a cancel, a hand-off): it drains, and its end is not the job's. */
  private boolean stopping;
  private String heldBackBecause;
  private String stalledBecause;
  /** Done when the job hears the run's end: a stop has taken effect then, if not before. */
  private final CompletableFuture<Done> ended = new CompletableFuture<>();

  CurrentRun(ActorRef<JobRun.Command> ref) {
    this.ref = ref;
  }

  boolean stopping() {
    return stopping;
  }

  /** Why the governor holds the run back, or null. */
  String heldBackBecause() {
    return heldBackBecause;
  }

  /** Why the run waits for a store that does not answer, or null. */
  String stalledBecause() {
    return stalledBecause;
  }

  /** What the run said last about the governor; ignored once it is asked to stop. */
  void heldBack(String reason) {
    if (!stopping) {
      heldBackBecause = reason;
    }
  }

  /**
   * What the run said last about its stores.
   *
   * @return whether that changes whether it stalls (so the change is logged once)
   */
  boolean stalled(String reason) {
    boolean changed = (reason == null) != (stalledBecause == null);
    stalledBecause = reason;
    return changed;
  }

  /**
   * Asks the run to stop taking new calls and stop reading: no lease is asked for and no page
   * query starts any more (a scope query under way is left to end, unheard), so the job no longer
   * claims a share of the governor's rate. The calls in flight finish and are checkpointed, then
   * the run ends.
   *
   * @return done once the stop has taken effect (see {@link JobPipeline.Run#stop()}), or the run
   *     has ended, or STOP_CONFIRMATION has passed
   */
  CompletionStage<Done> drain(Scheduler scheduler) {
    stopping = true;
    // Forgotten with the reasons: the next run tells them afresh.
    heldBackBecause = null;
    stalledBecause = null;
    // A run that ended by itself before it heard the stop does not answer it: its end does.
    return AskPattern.<JobRun.Command, Done>ask(ref, JobRun.Stop::new, STOP_CONFIRMATION, scheduler)
        .exceptionally(timedOut -> Done.getInstance())
        .applyToEither(ended, done -> done);
  }

  /** The job heard the run's end: a stop waiting for its answer has taken effect. */
  void ended() {
    ended.complete(Done.getInstance());
  }

  /** Whether {@code other} is this run, not one the job has forgotten. */
  boolean is(ActorRef<JobRun.Command> other) {
    return ref.equals(other);
  }
}
