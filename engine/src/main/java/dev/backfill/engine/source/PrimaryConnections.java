package dev.backfill.engine.source;

import dev.backfill.engine.settings.EngineSettings.PrimarySettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * This node's connections to the primary, one per governor slot it was leased. A connection stays
 * open between the queries of its slot, so reading page after page costs the primary no backend
 * fork and no authentication per page, and is closed once idle for {@code idleTimeout}: the
 * governor hands the slot to another node only after a longer time, so the primary never sees
 * more engine connections than there are slots.
 *
 * <p>The governor leases a slot to one query at a time, so a connection is never shared between
 * two threads; the map only keeps the close-when-idle sweep from racing a query.
 */
public final class PrimaryConnections implements AutoCloseable {

  private static final class Held {
    final Connection connection;
    volatile long lastUsedNanos = System.nanoTime();
    volatile boolean inUse;

    Held(Connection connection) {
      this.connection = connection;
    }
  }

  @FunctionalInterface
  public interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final PrimarySettings settings;
  private final Duration idleTimeout;
  private final Properties properties = new Properties();
  private final Map<Integer, Held> held = new ConcurrentHashMap<>();
  private boolean closed;
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "backfill-primary-connections");
            thread.setDaemon(true);
            return thread;
          });

  public PrimaryConnections(PrimarySettings settings, Duration idleTimeout) {
    this.settings = settings;
    this.idleTimeout = idleTimeout;
    properties.setProperty("user", settings.user());
    properties.setProperty("password", settings.password());
    properties.setProperty("ApplicationName", settings.applicationName());
    properties.setProperty("readOnly", "true");
    properties.setProperty("connectTimeout", Long.toString(Math.max(1, settings.queryTimeout().toSeconds())));
    // The server cancels a query that runs too long even if this node is gone or stuck: a page
    // query must never hold the primary's core for longer than this. A page read from a cursor
    // waits between bursts in a transaction, where that timeout does not run; one left so (a
    // node stuck mid-page) would hold a snapshot that vacuum must wait for and a lock that DDL
    // queues behind, so the server ends it after as long. One core per query, no parallel
    // workers: a count over a big table must not become a burst on several cores.
    long timeoutMillis = settings.queryTimeout().toMillis();
    properties.setProperty(
        "options",
        "-c statement_timeout=" + timeoutMillis
            + " -c idle_in_transaction_session_timeout=" + timeoutMillis
            + " -c max_parallel_workers_per_gather=0");
    // A partitioned network hangs a read past any statement timeout: the socket gives up a little later.
    properties.setProperty("socketTimeout", Long.toString(settings.queryTimeout().toSeconds() + 5));
    long sweepMillis = Math.max(10, idleTimeout.toMillis() / 5);
    sweeper.scheduleWithFixedDelay(this::closeIdle, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
  }

  /**
   * Runs {@code work} on the connection for {@code slot}, opening it if needed. A connection that
   * failed is closed and forgotten, so the next query on this slot starts on a fresh one.
   */
  public <T> T withConnection(int slot, Work<T> work) throws SQLException {
    Held connection = acquire(slot);
    try {
      return work.run(connection.connection);
    } catch (SQLException | RuntimeException e) {
      held.remove(slot, connection);
      closeQuietly(connection.connection);
      throw e;
    } finally {
      connection.lastUsedNanos = System.nanoTime();
      connection.inUse = false;
    }
  }

  /**
   * Closes this node's connection for {@code slot} now rather than once idle: the governor asked
   * for the slot back for another node. True when no connection for the slot is left open; false
   * when one is running a query (the governor leases a slot to one query at a time, so that would
   * be its bug), which is then left alone.
   */
  public boolean closeSlot(int slot) {
    synchronized (held) {
      Held connection = held.get(slot);
      if (connection == null) {
        return true;
      }
      if (connection.inUse) {
        return false;
      }
      held.remove(slot);
      closeQuietly(connection.connection);
      return true;
    }
  }

  /** Connections open now, for tests and status. */
  public int open() {
    return held.size();
  }

  private Held acquire(int slot) throws SQLException {
    synchronized (held) {
      if (closed) {
        throw new SQLException("this node's primary connections are closed (the node is stopping)");
      }
      Held existing = held.get(slot);
      if (existing != null && !existing.inUse) {
        existing.inUse = true;
        return existing;
      }
      if (existing != null) {
        throw new IllegalStateException("slot " + slot + " is already running a query on this node");
      }
    }
    // Connecting outside the lock keeps other slots' queries going meanwhile. Two queries on one
    // slot at once would be the governor's bug; if it happens, the second connection is closed
    // rather than leaked.
    Held opened = new Held(DriverManager.getConnection(settings.url(), properties));
    opened.inUse = true;
    synchronized (held) {
      if (closed || held.putIfAbsent(slot, opened) != null) {
        closeQuietly(opened.connection);
        throw new IllegalStateException("slot " + slot + " was opened twice on this node, or the node is stopping");
      }
    }
    return opened;
  }

  private void closeIdle() {
    try {
      closeIdleNow();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: the connections would stay open for ever.
      org.slf4j.LoggerFactory.getLogger(PrimaryConnections.class).warn("closing idle primary connections failed", e);
    }
  }

  private void closeIdleNow() {
    long now = System.nanoTime();
    synchronized (held) {
      held.entrySet()
          .removeIf(
              entry -> {
                Held connection = entry.getValue();
                boolean idle = !connection.inUse && now - connection.lastUsedNanos >= idleTimeout.toNanos();
                if (idle) {
                  closeQuietly(connection.connection);
                }
                return idle;
              });
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    synchronized (held) {
      closed = true;
      held.values().forEach(connection -> closeQuietly(connection.connection));
      held.clear();
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // it is being thrown away
    }
  }
}
