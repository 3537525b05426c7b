package dev.backfill.stores;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the Cassandra server's jars that the build copies into cassandra-server/target/lib.
 *
 * <p>They are kept out of the engine's own classpath on purpose: Cassandra brings its own slf4j,
 * Jackson and Netty, and runs as a separate JVM.
 */
public final class CassandraServerLib {

  static final String PROPERTY = "backfill.cassandra.lib";
  static final String ENVIRONMENT = "BACKFILL_CASSANDRA_LIB";
  private static final Path RELATIVE = Path.of("cassandra-server", "target", "lib");

  private CassandraServerLib() {}

  public static Path locate() {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property));
    }
    String environment = System.getenv(ENVIRONMENT);
    if (environment != null && !environment.isBlank()) {
      candidates.add(Path.of(environment));
    }
    addAncestors(candidates, Path.of("").toAbsolutePath());
    codeLocation().ifPresent(location -> addAncestors(candidates, location));
    for (Path candidate : candidates) {
      if (holdsServerJars(candidate)) {
        return candidate;
      }
    }
    throw new StoreStartException(
        "Cassandra's server jars were not found (looked in "
            + candidates
            + "). Build them with `mvn -B -DskipTests package` at the project root (./backfill does"
            + " this by itself), or point -D"
            + PROPERTY
            + " / "
            + ENVIRONMENT
            + " at a folder holding them.");
  }

  /** The folder must hold both the server and our launcher, i.e. a complete build of it. */
  private static boolean holdsServerJars(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var files = Files.list(dir)) {
      var names = files.map(p -> p.getFileName().toString()).toList();
      return names.stream().anyMatch(n -> n.startsWith("cassandra-all-"))
          && names.stream().anyMatch(n -> n.startsWith("cassandra-server-"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static void addAncestors(List<Path> candidates, Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      candidates.add(dir.resolve(RELATIVE));
    }
  }

  private static java.util.Optional<Path> codeLocation() {
    try {
      var source = CassandraServerLib.class.getProtectionDomain().getCodeSource();
      return source == null
          ? java.util.Optional.empty()
          : java.util.Optional.of(Path.of(source.getLocation().toURI()));
    } catch (URISyntaxException | SecurityException e) {
      return java.util.Optional.empty();
    }
  }
}
