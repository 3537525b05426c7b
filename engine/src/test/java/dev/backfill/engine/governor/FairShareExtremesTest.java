package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backfill.engine.governor.FairShare.Claim;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Shares at the far ends of what doubles hold: the governor calls this on every lease, so an
 * overflow to Infinity here (refused as a rate by the token buckets) would restart it.
 */
class FairShareExtremesTest {

  @Test
  void aHugeTotalSharedByUnequalWeightsStaysFinite() {
    double total = Double.MAX_VALUE / 2;
    Map<String, Claim> claims = new LinkedHashMap<>();
    claims.put("heavy", new Claim(1000, null));
    claims.put("light", new Claim(1, null));

    Map<String, Double> shares = FairShare.allocate(total, claims);

    for (double share : shares.values()) {
      assertTrue(Double.isFinite(share), shares::toString);
    }
    assertEquals(1000.0 / 1001, shares.get("heavy") / total, 1e-12);
    assertEquals(1.0 / 1001, shares.get("light") / total, 1e-12);
  }

  @Test
  void weightsWhoseSumOverflowsStillShareTheWholeRate() {
    Map<String, Claim> claims = new LinkedHashMap<>();
    claims.put("a", new Claim(1e308, null));
    claims.put("b", new Claim(1e308, null));

    Map<String, Double> shares = FairShare.allocate(100, claims);

    assertEquals(50, shares.get("a"), 1e-9);
    assertEquals(50, shares.get("b"), 1e-9);
  }

  @Test
  void aCapAmongHugeWeightsStillLeavesTheRestToTheOthers() {
    Map<String, Claim> claims = new LinkedHashMap<>();
    claims.put("capped", new Claim(1e308, 10.0));
    claims.put("free", new Claim(1e308, null));

    Map<String, Double> shares = FairShare.allocate(100, claims);

    assertEquals(10, shares.get("capped"), 1e-9);
    assertEquals(90, shares.get("free"), 1e-9);
  }
}
