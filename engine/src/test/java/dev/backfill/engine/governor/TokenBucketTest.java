package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        "min capacity must be positive and finite, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0, T0))
            .getMessage());
    TokenBucket bucket = new TokenBucket(1, 5, T0);
    assertEquals(
        "amount must be finite and not negative, was -2.0",
        assertThrows(IllegalArgumentException.class, () -> bucket.take(-2, T0)).getMessage());
    assertThrows(IllegalArgumentException.class, () -> bucket.nanosUntil(Double.NaN, T0));
    assertThrows(IllegalArgumentException.class, () -> bucket.setRate(Double.NaN, T0));
  }

  /**
   * Rows read in one simulated second by a job that reads pages of 2 rows, each ready 1 ms after
   * the last, whose waits end on the next 10 ms tick of a scheduler, as Pekko's do.
   */
  private static double rowsInASecond(TokenBucket bucket) {
    long now = T0;
    double rows = 0;
    while (now < T0 + SECOND) {
      long wait = bucket.nanosUntil(2, now);
      if (wait > 0) {
        now += (wait + 10 * MS - 1) / (10 * MS) * (10 * MS);
        continue;
      }
      bucket.take(2, now);
      rows += 2;
      now += MS;
    }
    return rows;
  }

  @Test
  void slackKeepsWhatALateWakeUpEarnedSoTheAverageHoldsTheRate() {
    double withSlack = rowsInASecond(new TokenBucket(1_000, 1, TokenBucket.SCHEDULER_SLACK, T0));
    double without = rowsInASecond(new TokenBucket(1_000, 1, T0));

    // Within a page and the 50 ms the bucket starts with of the rate.
    assertTrue(withSlack >= 1_000 && withSlack <= 1_000 + 50 + 2, "with slack: " + withSlack);
    // A wait of a millisecond costs a whole 10 ms tick: about a third of the rate.
    assertTrue(without < 1_000 * 0.4, "without slack: " + without);
  }

  @Test
  void aLowerRateHoldsLessSoSavedTokensMakeNoBurstAtIt() {
    TokenBucket bucket = new TokenBucket(1_000, 1, TokenBucket.SCHEDULER_SLACK, T0);
    assertEquals(50, bucket.capacity(), EPSILON);

    bucket.setRate(100, T0);

    assertEquals(5, bucket.capacity(), EPSILON);
    assertEquals(5, bucket.tokens(T0), EPSILON);
  }
}
