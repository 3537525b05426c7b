package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LatencyWindowTest {

  private static final long MS = 1_000_000L;

  @Test
  void percentilesUseNearestRankOverTheSpanAsked() {
    LatencyWindow window = new LatencyWindow(Duration.ofSeconds(5));
    for (int i = 1; i <= 100; i++) {
      window.add(i * 10 * MS, i);
    }
    long now = 1000 * MS;
    assertEquals(50.0, window.percentile(now, Duration.ofSeconds(5), 50, 1).getAsDouble());
    assertEquals(90.0, window.percentile(now, Duration.ofSeconds(5), 90, 1).getAsDouble());
    assertEquals(100.0, window.percentile(now, Duration.ofSeconds(5), 99.9, 1).getAsDouble());
    // The last 100 ms hold the probes 91..100 only.
    assertEquals(95.0, window.percentile(now, Duration.ofMillis(95), 50, 1).getAsDouble());
  }

  @Test
  void theMeanPastAFloorCountsEverySlowProbeAndNoFastOne() {
    LatencyWindow window = new LatencyWindow(Duration.ofSeconds(10));
    // 200 probes, two of them slow: the 99th percentile (the third-slowest) does not see them.
    for (int i = 1; i <= 200; i++) {
      window.add(i * 50 * MS, i == 50 || i == 150 ? 20.0 : (i % 2 == 0 ? 0.5 : 1.5));
    }
    long now = 200 * 50 * MS;
    assertEquals(1.5, window.percentile(now, Duration.ofSeconds(10), 99, 1).getAsDouble());
    // Past 1 ms: the 100 probes at 1.5 count 0.5 each, the two slow ones 19 each, the rest nothing.
    assertEquals((100 * 0.5 + 2 * 19.0) / 200, window.meanPast(now, Duration.ofSeconds(10), 1.0, 100, 1).getAsDouble(), 1e-9);
    // Capped at 2 ms, the two slow ones count 2 each: one long stall weighs like four short waits.
    assertEquals((100 * 0.5 + 2 * 2.0) / 200, window.meanPast(now, Duration.ofSeconds(10), 1.0, 2, 1).getAsDouble(), 1e-9);
    assertTrue(window.meanPast(now, Duration.ofSeconds(10), 1.0, 100, 201).isEmpty());
  }

  @Test
  void tooFewProbesGiveNoPercentile() {
    LatencyWindow window = new LatencyWindow(Duration.ofSeconds(5));
    window.add(0, 3);
    window.add(MS, 4);
    assertTrue(window.percentile(2 * MS, Duration.ofSeconds(1), 90, 3).isEmpty());
    assertEquals(4.0, window.percentile(2 * MS, Duration.ofSeconds(1), 90, 2).getAsDouble());
  }

  @Test
  void probesOlderThanTheWindowAreForgotten() {
    LatencyWindow window = new LatencyWindow(Duration.ofSeconds(1));
    window.add(0, 500);
    window.add(2_000 * MS, 1);
    assertEquals(1, window.count(2_000 * MS, Duration.ofSeconds(10)));
    assertEquals(1.0, window.percentile(2_000 * MS, Duration.ofSeconds(10), 100, 1).getAsDouble());
  }
}
