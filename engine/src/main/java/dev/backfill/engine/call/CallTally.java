package dev.backfill.engine.call;

import dev.backfill.engine.store.OutcomeLedger.Status;
import java.util.concurrent.atomic.LongAdder;

/**
 * The outcomes this node's call entities have recorded since the node started, by status: which
 * node does the work ({@code GET /node}; with three nodes each should record about a third).
 * Answers repeated from an entity's memory are not counted: they did no work. Calls found done by
 * their own job ({@link CallOutcome#doneEarlier}) are counted apart, as {@code foundDone}: they
 * cost a read and a ledger row, not an analysis, and counted as done they would make a node look
 * faster whenever a job asks again about calls it had finished.
 */
public final class CallTally {

  /** The counts at one moment. */
  public record Counts(long done, long skipped, long failed, long foundDone) {}

  private final LongAdder done = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder foundDone = new LongAdder();

  void recorded(CallOutcome outcome) {
    if (outcome.doneEarlier()) {
      foundDone.increment();
      return;
    }
    switch (outcome.status()) {
      case DONE -> done.increment();
      case SKIPPED -> skipped.increment();
      case FAILED -> failed.increment();
    }
  }

  public Counts counts() {
    return new Counts(done.sum(), skipped.sum(), failed.sum(), foundDone.sum());
  }
}
