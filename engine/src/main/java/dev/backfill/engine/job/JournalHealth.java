package dev.backfill.engine.job;

import dev.backfill.engine.job.JobState.Active;
import java.time.Duration;

/**
 * What a job's journal last did wrong, kept across the job actor's restarts (which it causes)
 * until a checkpoint gets through again, and what the job shows meanwhile. Touched by the job's
 * actor only.
 *
 * <p>A journal that is down or too slow never fails the job: the job stalls, saying why, and goes
 * on from the last checkpoint the journal accepted.
 */
final class JournalHealth {

  /** How long a run that the journal did not keep up with waits before it goes on: 1 s, doubling. */
  private static final Duration STALL_MIN = Duration.ofSeconds(1);

  private static final Duration STALL_MAX = Duration.ofSeconds(30);

  /** Why the job stalls on its journal, or null. */
  private String trouble;

  /** Runs in a row that ended on a checkpoint the journal did not take in time. */
  private int stalls;

  /** Why the job stalls on its journal, or null when it does not. */
  String trouble() {
    return trouble;
  }

  /** The journal failed or rejected a write, or could not be read: the job's actor restarts. */
  void failed(JobState state, String what, Throwable failure) {
    String from =
        state instanceof Active active && active.watermark() > 0
            ? "its last checkpoint (call " + active.watermark() + ")"
            : "its start";
    trouble = what + " (" + JobFailures.message(failure) + "): the job goes on from " + from + " when it answers";
  }

  /**
   * The journal took a checkpoint: the job no longer stalls on it. The count of stalled runs goes
   * back to zero only for a checkpoint taken with no stall pending: a journal slower than the
   * checkpoint's timeout still takes the checkpoint, late, just before its run ends on it.
   */
  void checkpointAccepted() {
    if (trouble == null) {
      stalls = 0;
    }
    trouble = null;
  }

  /**
   * A run ended because the journal did not take a checkpoint in time: nothing after {@code
   * watermark} is claimed.
   *
   * @return how long the job waits before it runs again from there (backing off run after run)
   */
  Duration stalledAt(long watermark) {
    stalls++;
    trouble =
        "the journal does not take checkpoints in time: nothing after call "
            + watermark
            + " is claimed, and the job goes on from there by itself";
    return Retries.delay(stalls, STALL_MIN, STALL_MAX);
  }
}
