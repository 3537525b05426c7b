package dev.backfill.stores;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The two stores a node needs, started on this machine: PostgreSQL (primary and journal databases)
 * and Cassandra. Used by the demo, by {@code ./backfill stores start} and by the tests.
 */
public final class LocalStores implements AutoCloseable {

  /**
   * Ports for the stores; 0 for any of them picks a free one.
   *
   * @param separateJournal the journal database in a PostgreSQL server of its own, as in
   *     production: a benchmark that measures the primary must not count the engine's journal
   *     writes as load on it, nor pin them to the primary's core
   */
  public record Layout(
      Path directory, int postgresPort, int cassandraPort, int cassandraStoragePort, boolean separateJournal) {

    /** The fixed ports that the default configuration (backfill.conf) points at. */
    public static Layout standard(Path directory) {
      return new Layout(directory, 54320, 9042, 7000, false);
    }

    /** Free ports everywhere: for tests and the demo, so they never clash with running stores. */
    public static Layout ephemeral(Path directory) {
      return new Layout(directory, 0, 0, 0, false);
    }

    /** Free ports, and the journal on a PostgreSQL server apart from the primary's. */
    public static Layout ephemeralWithSeparateJournal(Path directory) {
      return new Layout(directory, 0, 0, 0, true);
    }
  }

  private final Layout layout;
  private final LocalCassandra.Settings cassandraSettings;
  private final int postgresPort;
  private LocalPostgres postgres;
  /** Null unless the layout puts the journal on a server of its own. */
  private LocalPostgres journalPostgres;
  private final int journalPort;
  private LocalCassandra cassandra;
  private final Endpoints endpoints;

  private LocalStores(
      Layout layout,
      LocalCassandra.Settings cassandraSettings,
      LocalPostgres postgres,
      LocalPostgres journalPostgres,
      LocalCassandra cassandra) {
    this.layout = layout;
    this.cassandraSettings = cassandraSettings;
    this.postgresPort = postgres.port();
    this.postgres = postgres;
    this.journalPostgres = journalPostgres;
    this.journalPort = journalPostgres == null ? postgres.port() : journalPostgres.port();
    this.cassandra = cassandra;
    this.endpoints =
        new Endpoints(
            postgres.jdbcUrl(LocalPostgres.PRIMARY_DATABASE),
            (journalPostgres == null ? postgres : journalPostgres).jdbcUrl(LocalPostgres.JOURNAL_DATABASE),
            LocalPostgres.USER,
            "",
            "127.0.0.1",
            cassandra.nativePort());
  }

  public static LocalStores start(Layout layout) {
    int postgresPort = orFree(layout.postgresPort());
    int nativePort = orFree(layout.cassandraPort());
    int storagePort = orFree(layout.cassandraStoragePort());
    // Cassandra first: it is the slow one, and PostgreSQL starts while nothing else competes.
    var cassandraSettings =
        new LocalCassandra.Settings(
            layout.directory().resolve("cassandra"), nativePort, storagePort, Duration.ofSeconds(180), List.of());
    LocalCassandra cassandra = LocalCassandra.start(cassandraSettings);
    LocalPostgres postgres = null;
    try {
      postgres = LocalPostgres.start(layout.directory().resolve("postgres"), postgresPort);
      LocalPostgres journal =
          layout.separateJournal()
              ? LocalPostgres.start(layout.directory().resolve("journal-postgres"), Ports.freePort())
              : null;
      return new LocalStores(layout, cassandraSettings, postgres, journal, cassandra);
    } catch (RuntimeException e) {
      if (postgres != null) {
        postgres.close();
      }
      cassandra.close();
      throw e;
    }
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  public long postgresPid() {
    return postgres.pid();
  }

  /** The primary's postmaster: the parent of its backends. */
  public long primaryPostmasterPid() {
    return postgres.postmasterPid();
  }

  public long cassandraPid() {
    return cassandra.pid();
  }

  /** The journal's own server, or the primary's when they share one. */
  public long journalPostmasterPid() {
    return (journalPostgres == null ? postgres : journalPostgres).postmasterPid();
  }

  /** Stops Cassandra (as an outage would), keeping its data; {@link #startCassandra} brings it back. */
  public synchronized void stopCassandra() {
    cassandra.close();
  }

  /** Starts Cassandra again on the same data and ports. */
  public synchronized void startCassandra() {
    startCassandra(List.of());
  }

  /**
   * Starts Cassandra again on the same data and ports, its JVM run through {@code launcher} (for
   * example {@code chrt --idle 0}: a server that starts at normal priority takes both cores of a
   * small machine for seconds, from nodes whose threads run below normal priority beside it).
   */
  public synchronized void startCassandra(List<String> launcher) {
    if (!cassandra.isAlive()) {
      cassandra = LocalCassandra.start(cassandraSettings.withLauncher(launcher));
    }
  }

  /**
   * Stops the primary's PostgreSQL, keeping its data: the journal too unless it has a server of
   * its own ({@link #separateJournal()}).
   */
  public synchronized void stopPostgres() {
    postgres.close();
  }

  /** Starts the primary's PostgreSQL again on the same data and port. */
  public synchronized void startPostgres() {
    postgres = LocalPostgres.start(layout.directory().resolve("postgres"), postgresPort);
  }

  /** Whether the journal runs on a PostgreSQL server apart from the primary's. */
  public boolean separateJournal() {
    return layout.separateJournal();
  }

  /** Stops the journal's own PostgreSQL, keeping its data; only with a {@link #separateJournal()}. */
  public synchronized void stopJournal() {
    requireSeparateJournal();
    journalPostgres.close();
  }

  /** Starts the journal's own PostgreSQL again on the same data and port. */
  public synchronized void startJournal() {
    requireSeparateJournal();
    journalPostgres = LocalPostgres.start(layout.directory().resolve("journal-postgres"), journalPort);
  }

  private void requireSeparateJournal() {
    if (journalPostgres == null) {
      throw new IllegalStateException("the journal shares the primary's server: stop and start that one");
    }
  }

  @Override
  public synchronized void close() {
    try {
      cassandra.close();
    } finally {
      try {
        postgres.close();
      } finally {
        if (journalPostgres != null) {
          journalPostgres.close();
        }
      }
    }
  }

  private static int orFree(int port) {
    return port == 0 ? Ports.freePort() : port;
  }
}
