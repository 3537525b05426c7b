package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.governor.FairShare.Claim;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FairShareTest {

  private static final double EPSILON = 1e-9;

  private static Claim uncapped(double weight) {
    return new Claim(weight, null);
  }

  private static Map<String, Claim> claims(Object... jobsAndClaims) {
    Map<String, Claim> claims = new LinkedHashMap<>();
    for (int i = 0; i < jobsAndClaims.length; i += 2) {
      claims.put((String) jobsAndClaims[i], (Claim) jobsAndClaims[i + 1]);
    }
    return claims;
  }

  private static double sum(Map<String, Double> allocations) {
    return allocations.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  @Test
  void equalWeightsShareEqually() {
    Map<String, Double> allocations =
        FairShare.allocate(100, claims("a", uncapped(1), "b", uncapped(1), "c", uncapped(1)));

    for (double allocation : allocations.values()) {
      assertEquals(100 / 3.0, allocation, EPSILON);
    }
    assertTrue(sum(allocations) <= 100 + EPSILON);
  }

  @Test
  void sharesFollowTheWeights() {
    Map<String, Double> allocations =
        FairShare.allocate(100, claims("big", uncapped(3), "small", uncapped(1)));

    assertEquals(75, allocations.get("big"), EPSILON);
    assertEquals(25, allocations.get("small"), EPSILON);
  }

  @Test
  void whatACappedJobCannotUseGoesToTheOthersByWeight() {
    Map<String, Double> allocations =
        FairShare.allocate(
            100,
            claims("capped", new Claim(1, 10.0), "one", uncapped(1), "two", uncapped(2)));

    assertEquals(10, allocations.get("capped"), EPSILON);
    assertEquals(30, allocations.get("one"), EPSILON);
    assertEquals(60, allocations.get("two"), EPSILON);
  }

  @Test
  void redistributingCanCapAnotherJobInTurn() {
    // Shares of 40 cap "low" at 10; the others' shares of 55 then cap "mid" at 50.
    Map<String, Double> allocations =
        FairShare.allocate(
            120,
            claims("low", new Claim(1, 10.0), "mid", new Claim(1, 50.0), "rest", uncapped(1)));

    assertEquals(10, allocations.get("low"), EPSILON);
    assertEquals(50, allocations.get("mid"), EPSILON);
    assertEquals(60, allocations.get("rest"), EPSILON);
  }

  @Test
  void aCapEqualToTheShareIsNotACut() {
    Map<String, Double> allocations =
        FairShare.allocate(100, claims("a", new Claim(1, 50.0), "b", uncapped(1)));

    assertEquals(50, allocations.get("a"), EPSILON);
    assertEquals(50, allocations.get("b"), EPSILON);
  }

  @Test
  void whenEveryJobIsCappedTheRestOfTheBudgetIsLeftUnused() {
    Map<String, Double> allocations =
        FairShare.allocate(100, claims("a", new Claim(1, 10.0), "b", new Claim(5, 20.0)));

    assertEquals(10, allocations.get("a"), EPSILON);
    assertEquals(20, allocations.get("b"), EPSILON);
  }

  @Test
  void noClaimsGetNothing() {
    assertEquals(Map.of(), FairShare.allocate(100, Map.of()));
  }

  @Test
  void aZeroTotalGivesEveryoneZero() {
    assertEquals(
        Map.of("a", 0.0, "b", 0.0),
        FairShare.allocate(0, claims("a", uncapped(1), "b", new Claim(2, 5.0))));
  }

  @Test
  void keepsTheClaimsOrderAndIsRepeatable() {
    Map<String, Claim> claims =
        claims("zeta", uncapped(1), "alpha", new Claim(2, 1.0), "mu", uncapped(3));

    Map<String, Double> first = FairShare.allocate(50, claims);

    assertEquals(List.of("zeta", "alpha", "mu"), List.copyOf(first.keySet()));
    assertEquals(first, FairShare.allocate(50, claims));
  }

  @Test
  void rejectsBadInput() {
    assertEquals(
        "weight must be positive and finite, was 0.0",
        assertThrows(IllegalArgumentException.class, () -> new Claim(0, null)).getMessage());
    assertEquals(
        "max_rate must not be negative, was -1.0",
        assertThrows(IllegalArgumentException.class, () -> new Claim(1, -1.0)).getMessage());
    assertEquals(
        "total must be finite and not negative, was -1.0",
        assertThrows(IllegalArgumentException.class, () -> FairShare.allocate(-1, Map.of()))
            .getMessage());
  }
}
