package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PageSizerTest {

  @Test
  void theFirstPageIsTheSmallestBecauseItsCostIsUnknown() {
    assertEquals(5, new PageSizer(5, 5, 500).rows(500));
  }

  @Test
  void pagesFollowTheMeasuredCostPerRowToLastTheTargetTime() {
    PageSizer sizer = new PageSizer(5, 5, 500);
    sizer.observe(10, 1.0); // 0.1 ms a row
    assertEquals(50, sizer.rows(500));
    // Rows became four times dearer: the average moves a fifth of the way per page.
    sizer.observe(10, 4.0);
    assertEquals(0.16, sizer.millisPerRow(), 1e-9);
    assertEquals(31, sizer.rows(500));
  }

  @Test
  void pagesStayBetweenTheBoundsAndNeverExceedWhatWasAskedFor() {
    PageSizer sizer = new PageSizer(5, 5, 500);
    sizer.observe(100, 0.001);
    assertEquals(500, sizer.rows(10_000));
    assertEquals(40, sizer.rows(40));
    sizer.observe(1, 10_000);
    for (int i = 0; i < 50; i++) {
      sizer.observe(1, 10_000);
    }
    assertEquals(5, sizer.rows(500));
  }

  @Test
  void emptyOrNonsensePagesTeachNothing() {
    PageSizer sizer = new PageSizer(5, 5, 500);
    sizer.observe(0, 3);
    sizer.observe(10, Double.NaN);
    sizer.observe(10, Double.POSITIVE_INFINITY);
    assertEquals(5, sizer.rows(500));
  }

  @Test
  void refusesBoundsThatCannotHold() {
    assertThrows(IllegalArgumentException.class, () -> new PageSizer(0, 5, 500));
    assertThrows(IllegalArgumentException.class, () -> new PageSizer(5, 0, 500));
    assertThrows(IllegalArgumentException.class, () -> new PageSizer(5, 50, 10));
  }
}
