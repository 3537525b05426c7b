package dev.backfill.engine.settings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSettingsTest {

  private static Config with(Map<String, Object> overrides) {
    return ConfigFactory.load(
        ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseResources("application.conf")));
  }

  @Test
  void theShippedDefaultsAreValid() {
    EngineSettings settings = EngineSettings.create(with(Map.of()));
    assertEquals(500, settings.primary().pageSize());
    assertEquals("backfill-engine", settings.primary().applicationName());
    assertEquals(false, settings.results().audit(), "the result audit is opt-in");
  }

  @Test
  void refusesAJournalInThePrimaryDatabase() {
    var failure =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                EngineSettings.create(
                    with(
                        Map.of(
                            "backfill.primary.url", "jdbc:postgresql://localhost:5432/calls",
                            "backfill.journal.url", "jdbc:postgresql://127.0.0.1:5432/calls?ssl=true"))));
    assertTrue(failure.getMessage().contains("must not be written to the primary"), failure.getMessage());
  }

  @Test
  void refusesAnEmptyPage() {
    var failure =
        assertThrows(
            IllegalArgumentException.class,
            () -> EngineSettings.create(with(Map.of("backfill.primary.page-size", 0))));
    assertTrue(failure.getMessage().contains("page-size"), failure.getMessage());
  }
}
