package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;

/**
 * How one call of a job ended: the call entity's answer, and what the ledger records.
 *
 * <p>A reason longer than {@link #MAX_REASON_LENGTH} characters is cut: an outcome travels between
 * nodes (in one Artery frame) and into the ledger, and an exception's message can quote as much of
 * a call's data as it likes.
 */
public record CallOutcome(long callId, Status status, String reason) implements CborSerializable {

  public static final int MAX_REASON_LENGTH = 1_000;

  public CallOutcome {
    reason = shorten(reason);
  }

  public static CallOutcome done(long callId) {
    return new CallOutcome(callId, Status.DONE, null);
  }

  /**
   * The reason of a call found done by its own job: asked again (an answer lost, a page read again,
   * the job resumed from its checkpoint), it finds the result this job wrote. Done, with no work
   * done this time: no analysis, no result written.
   */
  public static final String DONE_EARLIER_BY_THIS_JOB = "result written earlier by this job";

  /** A call found done by its own job (see {@link #DONE_EARLIER_BY_THIS_JOB}). */
  public static CallOutcome doneEarlier(long callId) {
    return new CallOutcome(callId, Status.DONE, DONE_EARLIER_BY_THIS_JOB);
  }

  /** Whether this is a call found done by its own job, not done now. */
  public boolean doneEarlier() {
    return status == Status.DONE && DONE_EARLIER_BY_THIS_JOB.equals(reason);
  }

  public static CallOutcome skipped(long callId, String reason) {
    return new CallOutcome(callId, Status.SKIPPED, reason);
  }

  public static CallOutcome failed(long callId, String reason) {
    return new CallOutcome(callId, Status.FAILED, reason);
  }

  /**
   * The reason, cut to {@link #MAX_REASON_LENGTH} characters if longer (never inside a surrogate
   * pair: half of one cannot be serialized).
   */
  static String shorten(String reason) {
    if (reason == null || reason.length() <= MAX_REASON_LENGTH) {
      return reason;
    }
    String marker = "...";
    int end = MAX_REASON_LENGTH - marker.length();
    if (Character.isHighSurrogate(reason.charAt(end - 1))) {
      end--;
    }
    return reason.substring(0, end) + marker;
  }
}
