package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.CborSerializable;

/** How one call of a job ended: the call entity's answer, and what the ledger records. */
public record CallOutcome(long callId, Status status, String reason) implements CborSerializable {

  public static CallOutcome done(long callId) {
    return new CallOutcome(callId, Status.DONE, null);
  }

  public static CallOutcome skipped(long callId, String reason) {
    return new CallOutcome(callId, Status.SKIPPED, reason);
  }

  public static CallOutcome failed(long callId, String reason) {
    return new CallOutcome(callId, Status.FAILED, reason);
  }
}
