package dev.backfill.cluster.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Separate processes and kill -9, as in production: two nodes, each its own JVM; the node running
 * the job is killed in the middle and started again. The job completes, every call has exactly
 * one result (written once, counted from the result audit, which chaos turns on) and one ledger
 * entry, and no more calls are redone than one checkpoint window.
 * (This test starts stores of its own, as the chaos command does.)
 */
class ChaosTest {

  private static final int CALLS = 4_000;
  /** backfill.jobs.checkpoint-every-calls plus the calls in flight (backfill.calls.parallelism). */
  private static final long CHECKPOINT_WINDOW = 2_000 + 256;

  @Test
  void killingTheNodeThatRunsTheJobLosesNothingAndDuplicatesNothing() throws Exception {
    Path directory = Path.of("target", "chaos-test-" + ProcessHandle.current().pid());

    Chaos.Result result = new Chaos(new Chaos.Options(CALLS, 2, 1, 3, false, directory)).run();

    var figures = result.figures();
    assertEquals("COMPLETED", figures.get("status"), figures::toString);
    assertEquals(1, figures.get("kills"), figures::toString);
    assertEquals(0L, figures.get("missing"), figures::toString);
    assertEquals(0L, figures.get("duplicates"), figures::toString);
    assertEquals(0L, figures.get("ledger_missing"), figures::toString);
    assertEquals(0L, figures.get("ledger_duplicates"), figures::toString);
    assertEquals((long) CALLS, figures.get("results_in_cassandra"), figures::toString);
    assertEquals(0L, figures.get("redone"), figures::toString);
    assertEquals(0L, figures.get("unaudited"), figures::toString);
    // The calls after the last checkpoint are asked again after the kill and found done: at most
    // one checkpoint window of them, or checkpoints are not low watermarks.
    assertTrue((Long) figures.get("skipped") <= CHECKPOINT_WINDOW, figures::toString);
    assertTrue(result.sound());
  }
}
