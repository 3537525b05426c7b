package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NumberRangeTest {

  private static final NumberRange ABOVE_ZERO = NumberRange.above(0, 1000);
  private static final NumberRange SLOTS = NumberRange.wholeBetween(1, 64);

  @Test
  void anOpenEndExcludesItselfAndAClosedOneIncludesItself() {
    assertFalse(ABOVE_ZERO.contains(0));
    assertTrue(ABOVE_ZERO.contains(Double.MIN_VALUE));
    assertTrue(ABOVE_ZERO.contains(1000));
    assertFalse(ABOVE_ZERO.contains(Math.nextUp(1000.0)));

    NumberRange closed = NumberRange.between(0, 0.9);
    assertTrue(closed.contains(0));
    assertTrue(closed.contains(0.9));
    assertFalse(closed.contains(-Double.MIN_VALUE));
  }

  @Test
  void nothingThatIsNotFiniteIsInAnyRange() {
    for (NumberRange range : new NumberRange[] {ABOVE_ZERO, SLOTS, NumberRange.between(-10, 10)}) {
      assertFalse(range.contains(Double.NaN), range::describe);
      assertFalse(range.contains(Double.POSITIVE_INFINITY), range::describe);
      assertFalse(range.contains(Double.NEGATIVE_INFINITY), range::describe);
    }
  }

  @Test
  void aWholeRangeTakesWholeNumbersOnly() {
    assertTrue(SLOTS.contains(1));
    assertTrue(SLOTS.contains(64));
    assertFalse(SLOTS.contains(2.7));
    assertFalse(SLOTS.contains(65));
    assertFalse(SLOTS.contains(0));
    assertFalse(SLOTS.contains(4294967298.0));
  }

  @Test
  void aRefusalSaysWhatWouldPassAndWhatCame() {
    assertNull(ABOVE_ZERO.refusal(1));
    assertEquals("must be a number in (0, 1000], was 1.0E305", ABOVE_ZERO.refusal(1e305));
    assertEquals("must be a number in (0, 1000], was Infinity", ABOVE_ZERO.refusal(Double.POSITIVE_INFINITY));
    assertEquals("must be a number in (0, 1000], was NaN", ABOVE_ZERO.refusal(Double.NaN));
    assertEquals("must be a whole number in [1, 64], was 2.7", SLOTS.refusal(2.7));
    assertEquals("a number in (0, 1000000]", NumberRange.above(0, 1_000_000).describe());
    assertEquals("a number in [0, 0.9]", NumberRange.between(0, 0.9).describe());
  }

  @Test
  void aRangeNeedsFiniteEndsInOrder() {
    assertThrows(IllegalArgumentException.class, () -> NumberRange.above(0, Double.POSITIVE_INFINITY));
    assertThrows(IllegalArgumentException.class, () -> NumberRange.between(5, 5));
    assertThrows(IllegalArgumentException.class, () -> NumberRange.between(Double.NaN, 5));
  }
}
