package dev.backfill.engine.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What a job shows and how long it waits while its journal does not take checkpoints. */
class JournalHealthTest {

  @Test
  void stallsBackOffRunAfterRunAndSayFromWhereTheJobGoesOn() {
    JournalHealth journal = new JournalHealth();

    Duration first = journal.stalledAt(1_200);
    Duration second = journal.stalledAt(1_200);
    Duration third = journal.stalledAt(1_200);

    // 1 s, 2 s, 4 s, each within the 80-120% jitter
    assertBetween(first, 800, 1_200);
    assertBetween(second, 1_600, 2_400);
    assertBetween(third, 3_200, 4_800);
    assertTrue(journal.trouble().contains("nothing after call 1200 is claimed"), journal.trouble());
  }

  @Test
  void aLateCheckpointClearsTheTroubleButNotTheBackoff() {
    JournalHealth journal = new JournalHealth();
    journal.stalledAt(10);
    journal.stalledAt(10);

    // taken late, just before its run ended on it: the stall is still pending
    journal.checkpointAccepted();
    assertNull(journal.trouble());
    assertBetween(journal.stalledAt(10), 3_200, 4_800);
  }

  @Test
  void aCheckpointInTimeStartsTheBackoffAgain() {
    JournalHealth journal = new JournalHealth();
    journal.stalledAt(10);
    journal.stalledAt(10);
    journal.checkpointAccepted();

    // a checkpoint taken with no stall pending
    journal.checkpointAccepted();

    assertBetween(journal.stalledAt(10), 800, 1_200);
  }

  @Test
  void aFailedWriteSaysFromWhereTheJobGoesOn() {
    JournalHealth journal = new JournalHealth();

    journal.failed(new JobState.Blank(), "the journal failed a write", new IllegalStateException("connection refused"));

    assertTrue(journal.trouble().startsWith("the journal failed a write ("), journal.trouble());
    assertTrue(journal.trouble().endsWith("the job goes on from its start when it answers"), journal.trouble());
  }

  private static void assertBetween(Duration actual, long lowMillis, long highMillis) {
    assertTrue(
        actual.toMillis() >= lowMillis && actual.toMillis() <= highMillis,
        () -> actual.toMillis() + " ms, expected " + lowMillis + "-" + highMillis);
  }
}
