package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bucket at the far ends of what doubles hold: it must never end up at NaN or -Infinity. */
class TokenBucketExtremesTest {

  private static final long SECOND = 1_000_000_000L;
  /** An arbitrary start, as nano time has no meaningful origin. */
  private static final long T0 = 7_000 * SECOND;

  @Test
  void aDebtTooLargeForADoubleStaysFiniteAndIsPaidOffByAHugeRate() {
    TokenBucket bucket = new TokenBucket(0, 1, T0);
    bucket.take(Double.MAX_VALUE, T0);
    bucket.take(Double.MAX_VALUE, T0);

    assertTrue(Double.isFinite(bucket.tokens(T0)), () -> "tokens " + bucket.tokens(T0));
    assertEquals(Long.MAX_VALUE, bucket.nanosUntil(1, T0));

    // Ten seconds at the largest rate there is earn Infinity tokens: with a debt of -Infinity
    // that was NaN, and the bucket let everything through for ever or nothing.
    bucket.setRate(Double.MAX_VALUE, T0);
    assertEquals(1, bucket.tokens(T0 + 10 * SECOND));
    assertEquals(0, bucket.nanosUntil(1, T0 + 10 * SECOND));
  }
}
