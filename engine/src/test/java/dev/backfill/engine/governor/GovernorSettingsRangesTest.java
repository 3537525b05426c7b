package dev.backfill.engine.governor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration file is held to the same ranges as the API, at start-up, naming the key. */
class GovernorSettingsRangesTest {

  private static GovernorSettings withOverrides(Map<String, Object> overrides) {
    Config config =
        ConfigFactory.parseMap(overrides)
            .withFallback(ConfigFactory.load(ConfigFactory.parseResources("application.conf")));
    return GovernorSettings.create(config);
  }

  @Test
  void theShippedDefaultsAreInRange() {
    assertEquals(2, withOverrides(Map.of()).budget().maxConcurrentQueries());
  }

  @Test
  void aValueOutsideItsRangeStopsTheNodeAtStartUpNamingTheKey() {
    var refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                withOverrides(
                    Map.of(
                        "backfill.governor.max-concurrent-queries", 2_000_000_000,
                        "backfill.governor.thresholds.live-ratio-critical", 1e300)));
    assertEquals(
        "backfill.governor.max-concurrent-queries must be a whole number in [1, 64], was 2000000000; "
            + "backfill.governor.thresholds.live-ratio-critical must be a number in (1, 1000], was 1.0E300",
        refused.getMessage());
  }
}
