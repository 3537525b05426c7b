package dev.backfill.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Which checkpoint after a kill counts as the recovery: none the killed incarnation may still have
 * had in flight. No journal: the rule alone.
 */
class JournalProgressTest {

  private static final JournalProgress.Mark KILLED_AFTER_12 = new JournalProgress.Mark(12, "writer-killed");

  @Test
  void aCheckpointOfTheKilledIncarnationThatWasInFlightIsNotTheRecovery() {
    assertFalse(KILLED_AFTER_12.notInFlightOfItsWriter(13, "writer-killed"), "in flight when the mark was read");
    assertFalse(KILLED_AFTER_12.notInFlightOfItsWriter(14, "writer-killed"), "sent after that, before the kill");
  }

  @Test
  void aCheckpointOfAnotherIncarnationIsTheRecovery() {
    assertTrue(KILLED_AFTER_12.notInFlightOfItsWriter(13, "writer-after-the-kill"));
    assertTrue(KILLED_AFTER_12.notInFlightOfItsWriter(14, "writer-after-the-kill"));
  }

  @Test
  void moreCheckpointsOfTheSameWriterThanItCouldHaveHadInFlightMeanItWasNotKilled() {
    assertTrue(KILLED_AFTER_12.notInFlightOfItsWriter(12 + JournalProgress.IN_FLIGHT + 1, "writer-killed"));
  }

  @Test
  void aJobWithNoEventYetHasNoWriterToLose() {
    assertTrue(new JournalProgress.Mark(0, null).notInFlightOfItsWriter(1, "writer-after-the-kill"));
  }
}
