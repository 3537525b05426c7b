package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NodeHiccupsTest {

  @Test
  void aProbeOverlappingAHiccupIsSeenAndOneBesideItIsNot() {
    NodeHiccups hiccups = NodeHiccups.recordedByHand();
    hiccups.record(1_000, 1_500);
    hiccups.record(5_000, 9_000);
    assertTrue(hiccups.between(1_400, 2_000), "overlaps the first");
    assertTrue(hiccups.between(0, 1_000), "touches the first");
    assertTrue(hiccups.between(6_000, 7_000), "inside the second");
    assertFalse(hiccups.between(1_600, 4_900), "between them");
    assertFalse(hiccups.between(9_001, 20_000), "after both");
  }

  @Test
  void onlyTheLatestHiccupsAreKept() {
    NodeHiccups hiccups = NodeHiccups.recordedByHand();
    for (int i = 0; i < 1_000; i++) {
      hiccups.record(i * 10L, i * 10L + 1);
    }
    assertTrue(hiccups.between(9_990, 9_991));
    assertFalse(hiccups.between(0, 1), "long overwritten");
  }
}
