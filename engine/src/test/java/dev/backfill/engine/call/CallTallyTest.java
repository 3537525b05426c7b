package dev.backfill.engine.call;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What a node counts as its work ({@code GET /node}): pure logic, no stores. */
class CallTallyTest {

  @Test
  void aCallFoundDoneByItsOwnJobIsCountedApartNotAsDone() {
    CallTally tally = new CallTally();
    tally.recorded(CallOutcome.done(1));
    tally.recorded(CallOutcome.doneEarlier(2));
    tally.recorded(CallOutcome.doneEarlier(3));
    tally.recorded(CallOutcome.skipped(4, "result already present"));
    tally.recorded(CallOutcome.failed(5, "bad transcript"));
    // A failure whose reason happens to read like the found-done one is still a failure.
    tally.recorded(CallOutcome.failed(6, CallOutcome.DONE_EARLIER_BY_THIS_JOB));

    assertEquals(new CallTally.Counts(1, 1, 2, 2), tally.counts());
  }
}
