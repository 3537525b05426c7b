package dev.backfill.engine.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.backfill.engine.schema.SchemaInstaller;
import dev.backfill.engine.settings.EngineSettings;
import dev.backfill.stores.Endpoints;
import dev.backfill.stores.LocalStores;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL and a real Cassandra for tests, started once per test JVM (the first test
 * class that needs them pays the start) and stopped when the test run ends, also when tests fail.
 * A JVM killed outright still leaves no Cassandra behind: the child watches its parent.
 *
 * <p>Each test class takes its own {@link #freshEnvironment environment}: new primary and journal
 * databases and a new keyspace, so no test sees another's data.
 */
public final class RealStores implements BeforeAllCallback {

  private static final AtomicInteger ENVIRONMENTS = new AtomicInteger();
  private static LocalStores stores;

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .computeIfAbsent(RealStores.class.getName(), key -> new Running(start()));
  }

  /** Closed by JUnit when the whole test plan is done. */
  private record Running(LocalStores stores) implements AutoCloseable {
    @Override
    public void close() {
      stopStores();
    }
  }

  private static synchronized LocalStores start() {
    if (stores == null) {
      Path directory = Path.of("target", "test-stores", Long.toString(ProcessHandle.current().pid()));
      stores = LocalStores.start(LocalStores.Layout.ephemeral(directory));
      Runtime.getRuntime().addShutdownHook(new Thread(RealStores::stopStores, "stop-test-stores"));
    }
    return stores;
  }

  private static synchronized void stopStores() {
    if (stores != null) {
      LocalStores running = stores;
      stores = null;
      running.close();
    }
  }

  /** An outage for the test that calls it; it must call {@link #startCassandra} in a finally. */
  public static synchronized void stopCassandra() {
    running().stopCassandra();
  }

  public static synchronized void startCassandra() {
    running().startCassandra();
  }

  /** An outage of the primary and the journal both (they share a server here). */
  public static synchronized void stopPostgres() {
    running().stopPostgres();
  }

  public static synchronized void startPostgres() {
    running().startPostgres();
  }

  private static LocalStores running() {
    if (stores == null) {
      throw new IllegalStateException("annotate the test class with @ExtendWith(RealStores.class)");
    }
    return stores;
  }

  public static synchronized Endpoints endpoints() {
    if (stores == null) {
      throw new IllegalStateException("annotate the test class with @ExtendWith(RealStores.class)");
    }
    return stores.endpoints();
  }

  /**
   * New primary and journal databases and a new Cassandra keyspace, with every schema installed,
   * and the node configuration that points at them (application-test.conf underneath).
   */
  public static Config freshEnvironment(String name) {
    Endpoints endpoints = endpoints();
    String suffix = name.toLowerCase().replaceAll("[^a-z0-9]", "") + "_" + ENVIRONMENTS.incrementAndGet();
    String primaryDb = "calls_" + suffix;
    String journalDb = "journal_" + suffix;
    createDatabase(endpoints, primaryDb);
    createDatabase(endpoints, journalDb);
    String base = "jdbc:postgresql://127.0.0.1:" + port(endpoints.primaryUrl()) + "/";
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "backfill.primary.url", base + primaryDb,
                    "backfill.journal.url", base + journalDb,
                    "backfill.cassandra.contact-points",
                        java.util.List.of(endpoints.cassandraContactPoint()),
                    "backfill.cassandra.keyspace", "backfill_" + suffix))
            .withFallback(ConfigFactory.parseResources("application-test.conf"))
            .withFallback(ConfigFactory.parseResources("application.conf"));
    Config resolved = ConfigFactory.load(config);
    new SchemaInstaller(EngineSettings.create(resolved)).installAll();
    return resolved;
  }

  private static int port(String jdbcUrl) {
    String afterHost = jdbcUrl.substring(jdbcUrl.indexOf("//") + 2);
    return Integer.parseInt(afterHost.substring(afterHost.indexOf(':') + 1, afterHost.indexOf('/')));
  }

  private static void createDatabase(Endpoints endpoints, String database) {
    try (Connection connection =
            DriverManager.getConnection(endpoints.primaryUrl(), endpoints.user(), endpoints.password());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create test database " + database, e);
    }
  }
}
