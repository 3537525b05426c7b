package dev.backfill.cluster.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.stores.Endpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's configuration: the given file (or the built-in application.conf), under explicit
 * overrides, with system properties on top and Pekko's reference.conf files underneath.
 */
public final class NodeConfig {

  private NodeConfig() {}

  public static Config load(Optional<Path> file, Map<String, Object> overrides) {
    Config base =
        file.map(NodeConfig::parseFile).orElseGet(() -> ConfigFactory.parseResources("application.conf"));
    return ConfigFactory.load(ConfigFactory.parseMap(overrides).withFallback(base));
  }

  /** Points a node at stores started on this machine. */
  public static Map<String, Object> forStores(Endpoints endpoints) {
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("backfill.primary.url", endpoints.primaryUrl());
    overrides.put("backfill.primary.user", endpoints.user());
    overrides.put("backfill.primary.password", endpoints.password());
    overrides.put("backfill.journal.url", endpoints.journalUrl());
    overrides.put("backfill.journal.user", endpoints.user());
    overrides.put("backfill.journal.password", endpoints.password());
    overrides.put("backfill.cassandra.contact-points", List.of(endpoints.cassandraContactPoint()));
    return overrides;
  }

  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "config file " + file.toAbsolutePath() + " does not exist. Copy config/examples/node.conf and edit it.");
    }
    // The file usually starts with `include "application"`, resolved from the classpath.
    return ConfigFactory.parseFile(file.toFile());
  }
}
