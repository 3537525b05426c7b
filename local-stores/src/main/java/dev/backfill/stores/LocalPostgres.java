package dev.backfill.stores;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * A real PostgreSQL server (binaries from Maven Central via zonky) holding two databases: the
 * primary ({@code calls}, the production database being protected) and the engine's journal.
 * They share a server here for convenience only; in production they are different servers.
 */
public final class LocalPostgres implements AutoCloseable {

  public static final String PRIMARY_DATABASE = "calls";
  public static final String JOURNAL_DATABASE = "backfill_journal";
  public static final String USER = "postgres";

  private final EmbeddedPostgres server;
  private final Path data;

  private LocalPostgres(EmbeddedPostgres server, Path data) {
    this.server = server;
    this.data = data;
  }

  /** Starts (or reopens) the server whose data lives in {@code directory}. */
  public static LocalPostgres start(Path directory, int port) {
    Path data = directory.toAbsolutePath().resolve("data");
    refuseLiveServer(data);
    Ports.requireFree(port, "PostgreSQL");
    try {
      Files.createDirectories(directory);
      EmbeddedPostgres server =
          EmbeddedPostgres.builder()
              .setDataDirectory(data)
              .setCleanDataDirectory(false)
              .setOverrideWorkingDirectory(directory.toAbsolutePath().resolve("binaries").toFile())
              .setPort(port)
              .setPGStartupWait(Duration.ofSeconds(60))
              // Seeding writes hundreds of MB at once: fewer checkpoints, room to cache.
              .setServerConfig("max_wal_size", "2GB")
              .setServerConfig("shared_buffers", "256MB")
              .setServerConfig("max_connections", "200")
              .setOutputRedirector(
                  java.lang.ProcessBuilder.Redirect.appendTo(
                      directory.resolve("postgres.log").toFile()))
              .setErrorRedirector(
                  java.lang.ProcessBuilder.Redirect.appendTo(
                      directory.resolve("postgres.log").toFile()))
              .start();
      LocalPostgres postgres = new LocalPostgres(server, data);
      postgres.ensureDatabase(PRIMARY_DATABASE);
      postgres.ensureDatabase(JOURNAL_DATABASE);
      return postgres;
    } catch (IOException | SQLException e) {
      throw new StoreStartException(
          "cannot start PostgreSQL in " + data + " on port " + port + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  public long pid() {
    return server.getProcess().pid();
  }

  /**
   * The postmaster's pid as PostgreSQL itself records it (the first line of postmaster.pid): the
   * parent of every backend, so that setting its CPU affinity also places future backends.
   */
  public long postmasterPid() {
    try {
      return Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return pid();
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      throw new IllegalStateException("PostgreSQL did not stop cleanly: " + e.getMessage(), e);
    }
  }

  private void ensureDatabase(String name) throws SQLException {
    try (Connection connection = server.getPostgresDatabase().getConnection();
        PreparedStatement exists =
            connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      exists.setString(1, name);
      try (ResultSet rows = exists.executeQuery()) {
        if (rows.next()) {
          return;
        }
      }
      try (Statement create = connection.createStatement()) {
        create.execute("CREATE DATABASE " + name);
      }
    }
  }

  private static void refuseLiveServer(Path data) {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    try {
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      ProcessHandle.of(pid)
          .filter(ProcessHandle::isAlive)
          .ifPresent(
              running -> {
                throw new StoreStartException(
                    "a PostgreSQL from an earlier run (pid "
                        + pid
                        + ") still uses "
                        + data
                        + ". Run `./backfill stores stop`, or `kill "
                        + pid
                        + "` if it is a leftover.");
              });
    } catch (IOException | RuntimeException e) {
      if (e instanceof StoreStartException) {
        throw (StoreStartException) e;
      }
      // An unreadable pid file is stale: PostgreSQL itself replaces it.
    }
  }
}
