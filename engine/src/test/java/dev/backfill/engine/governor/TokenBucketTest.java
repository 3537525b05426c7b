package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final double EPSILON = 1e-9;
  private static final long MS = 1_000_000L;
  private static final long SECOND = 1_000 * MS;
  /** An arbitrary start, as nano time has no meaningful origin. */
  private static final long T0 = 7_000 * SECOND;

  @Test
  void startsFull() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);

    assertEquals(5, bucket.tokens(T0), EPSILON);
    assertEquals(0, bucket.nanosUntil(1, T0));
  }

  @Test
  void anyRequestGoesWhileNotInDebtAndLaterOnesWaitOffTheDebt() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);

    assertEquals(0, bucket.nanosUntil(8, T0));
    bucket.take(8, T0);

    assertEquals(-3, bucket.tokens(T0), EPSILON);
    assertEquals(300 * MS, bucket.nanosUntil(1, T0));
    assertEquals(100 * MS, bucket.nanosUntil(1, T0 + 200 * MS));
    assertEquals(0, bucket.nanosUntil(1, T0 + 300 * MS));
  }

  @Test
  void aRequestLargerThanTheCapacityStillGoes() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);

    assertEquals(0, bucket.nanosUntil(50, T0));
    bucket.take(50, T0);

    assertEquals(4_500 * MS, bucket.nanosUntil(1, T0));
  }

  @Test
  void refillsAtTheRate() {
    TokenBucket bucket = new TokenBucket(10, 100, T0);
    bucket.take(100, T0);

    assertEquals(10, bucket.tokens(T0 + SECOND), EPSILON);
    assertEquals(25, bucket.tokens(T0 + 2_500 * MS), EPSILON);
  }

  @Test
  void theCapacityCapsTheRefill() {
    TokenBucket bucket = new TokenBucket(10, 100, T0);
    bucket.take(30, T0);

    assertEquals(100, bucket.tokens(T0 + 60 * SECOND), EPSILON);
    bucket.take(100, T0 + 60 * SECOND);
    assertEquals(0, bucket.tokens(T0 + 60 * SECOND), EPSILON);
  }

  @Test
  void aRateChangeKeepsTheTokensEarnedAtTheOldRate() {
    TokenBucket bucket = new TokenBucket(10, 100, T0);
    bucket.take(100, T0);

    bucket.setRate(100, T0 + SECOND);

    assertEquals(10, bucket.tokens(T0 + SECOND), EPSILON);
    assertEquals(60, bucket.tokens(T0 + 1_500 * MS), EPSILON);
    assertEquals(100, bucket.rate());
  }

  @Test
  void aZeroRateWaitsForeverOnlyWhenInDebt() {
    TokenBucket bucket = new TokenBucket(10, 5, T0);
    bucket.setRate(0, T0);

    assertEquals(0, bucket.nanosUntil(1, T0));
    bucket.take(6, T0);
    assertEquals(Long.MAX_VALUE, bucket.nanosUntil(1, T0 + 3_600 * SECOND));
    assertEquals(-1, bucket.tokens(T0 + 3_600 * SECOND), EPSILON);

    bucket.setRate(10, T0 + 3_600 * SECOND);
    assertEquals(100 * MS, bucket.nanosUntil(1, T0 + 3_600 * SECOND));
  }

  @Test
  void anOlderReadingOfTheClockEarnsNothingAndCreditsNothingTwice() {
    TokenBucket bucket = new TokenBucket(10, 100, T0);
    bucket.take(100, T0);

    assertEquals(10, bucket.tokens(T0 + SECOND), EPSILON);
    assertEquals(10, bucket.tokens(T0 + 500 * MS), EPSILON);
    assertEquals(20, bucket.tokens(T0 + 2 * SECOND), EPSILON);
  }

  @Test
  void survivesTheWrapAroundOfNanoTime() {
    long beforeWrap = Long.MAX_VALUE - 500 * MS;
    TokenBucket bucket = new TokenBucket(10, 100, beforeWrap);
    bucket.take(100, beforeWrap);

    assertEquals(10, bucket.tokens(beforeWrap + SECOND), EPSILON);
  }

  @Test
  void rejectsBadArguments() {
    assertEquals(
        "rate_per_second must be finite and not negative, was -1.0",
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(-1, 5, T0))
            .getMessage());
    assertEquals(
        "capacity must be positive and finite, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, T0))
            .getMessage());
    TokenBucket bucket = new TokenBucket(1, 5, T0);
    assertEquals(
        "amount must be finite and not negative, was -2.0",
        assertThrows(IllegalArgumentException.class, () -> bucket.take(-2, T0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> bucket.nanosUntil(Double.NaN, T0));
    assertThrows(IllegalArgumentException.class, () -> bucket.setRate(Double.NaN, T0));
  }
}
