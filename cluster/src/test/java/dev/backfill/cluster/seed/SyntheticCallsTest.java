package dev.backfill.cluster.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.protocol.call.Call;
import dev.backfill.protocol.call.CallChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SyntheticCallsTest {

  private static final int SAMPLE = 3_000;
  private static final List<Call> CALLS = new ArrayList<>();

  @BeforeAll
  static void drawSample() {
    SyntheticCalls calls = new SyntheticCalls(42);
    for (long id = 1; id <= SAMPLE; id++) {
      CALLS.add(calls.call(id));
    }
  }

  @Test
  void aCallDependsOnlyOnTheSeedAndItsId() {
    // Asked alone from a fresh instance, call 1234 is the one the sample drew among its neighbours.
    assertEquals(CALLS.get(1233), new SyntheticCalls(42).call(1234));
    assertEquals(new SyntheticCalls(42).call(9_000_001), new SyntheticCalls(42).call(9_000_001));
  }

  @Test
  void anotherSeedGivesOtherCalls() {
    assertNotEquals(CALLS.get(0), new SyntheticCalls(43).call(1));
    assertNotEquals(CALLS.get(0).transcript(), CALLS.get(1).transcript());
  }

  @Test
  void callsStartInTheTwoYearsBefore2026() {
    Instant from = Instant.parse("2024-01-01T00:00:00Z");
    Instant to = Instant.parse("2026-01-01T00:00:00Z");
    long firstHalf = 0;
    for (Call call : CALLS) {
      Instant start = call.startedAt();
      assertTrue(!start.isBefore(from) && start.isBefore(to), call.toString());
      firstHalf += start.isBefore(Instant.parse("2025-01-01T00:00:00Z")) ? 1 : 0;
    }
    assertTrue(firstHalf > SAMPLE * 0.4 && firstHalf < SAMPLE * 0.6, firstHalf + " in 2024");
  }

  @Test
  void durationsRunFromTwoToSixtyMinutesMostlyFifteenToThirty() {
    long fifteenToThirty = 0;
    for (Call call : CALLS) {
      int seconds = call.durationSeconds();
      assertTrue(seconds >= 120 && seconds <= 3_600, "duration " + seconds);
      fifteenToThirty += seconds >= 900 && seconds <= 1_800 ? 1 : 0;
    }
    assertTrue(fifteenToThirty > SAMPLE * 0.55, fifteenToThirty + " of " + SAMPLE);
  }

  @Test
  void aboutSeventyPercentOfCallsAreWebConferences() {
    long web = CALLS.stream().filter(c -> c.channel() == CallChannel.WEB_CONFERENCE).count();
    double share = (double) web / SAMPLE;
    assertTrue(share > 0.66 && share < 0.74, "web conference share " + share);
  }

  @Test
  void aFewBigTenantsHoldMostCalls() {
    Map<String, Integer> perTenant = new HashMap<>();
    CALLS.forEach(c -> perTenant.merge(c.tenant(), 1, Integer::sum));
    assertTrue(Arrays.asList(SyntheticCalls.TENANTS).containsAll(perTenant.keySet()));
    assertTrue(perTenant.size() >= 18, perTenant.size() + " tenants");
    List<Integer> sizes = new ArrayList<>(perTenant.values());
    sizes.sort((a, b) -> b - a);
    int topThree = sizes.get(0) + sizes.get(1) + sizes.get(2);
    assertTrue(topThree > SAMPLE * 0.4, "top three hold " + topThree);
    assertTrue(sizes.get(0) > 8 * sizes.get(sizes.size() - 1), "biggest vs smallest " + sizes);
  }
}
