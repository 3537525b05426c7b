package dev.backfill.engine.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The node's own configuration (application.conf, so the call entity's mailbox and the
 * serialization bindings are the real ones) for tests of actors alone: no cluster, no stores, so
 * they run in milliseconds.
 */
public final class LocalActorConfig {

  private LocalActorConfig() {}

  /** @param overrides HOCON that takes precedence, resolved together with the rest */
  public static Config with(String overrides) {
    return ConfigFactory.load(
        ConfigFactory.parseString(overrides)
            .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
            .withFallback(ConfigFactory.parseResources("application.conf")));
  }
}
