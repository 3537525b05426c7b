package dev.backfill.bench.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class HeapHistogramTest {

  private static final String BEFORE =
      """
      12345:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         20000        2000000  [B (java.base@17.0.12)
         2:          5000         120000  java.lang.String (java.base@17.0.12)
         3:           100           4800  dev.backfill.engine.job.Gone
      Total         25100        2124800
      """;

  private static final String AFTER =
      """
      12345:
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         21000        2300000  [B (java.base@17.0.12)
         2:          5000         120000  java.lang.String (java.base@17.0.12)
         3:          3000          96000  dev.backfill.engine.call.Kept
         4:            10            480  dev.backfill.engine.call.Kept
      Total         29010        2516480
      """;

  @Test
  void namesTheClassesThatGrewLargestFirstAndLeavesOutWhatDidNot() {
    List<HeapHistogram.Growth> growth =
        HeapHistogram.parse(AFTER).largestGrowthSince(HeapHistogram.parse(BEFORE), 10);

    assertEquals(
        List.of(
            new HeapHistogram.Growth("[B", 1000, 300000),
            // the same name from two class loaders counts once, added up
            new HeapHistogram.Growth("dev.backfill.engine.call.Kept", 3010, 96480)),
        growth);
  }

  @Test
  void keepsToTheLimit() {
    assertEquals(1, HeapHistogram.parse(AFTER).largestGrowthSince(HeapHistogram.parse(BEFORE), 1).size());
  }
}
