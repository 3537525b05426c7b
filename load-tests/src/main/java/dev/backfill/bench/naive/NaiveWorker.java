package dev.backfill.bench.naive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.engine.call.CallRows;
import dev.backfill.engine.processor.Processor;
import dev.backfill.protocol.call.CallRow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One worker of the fleet: on its own connection to the primary, claims a task, reads the call,
 * analyses it and writes the result, all in one transaction, until no pending task is left.
 */
final class NaiveWorker implements Runnable {

  static final String APPLICATION_NAME = "naive-worker";

  /**
   * After a failed reconnect only: without it a worker facing a primary that refuses connections
   * would spin a core on connection attempts. Errors on a live connection are retried at once, as
   * the original workers did.
   */
  private static final long RECONNECT_PAUSE_MS = 250;

  /** Seconds {@link Connection#isValid} may take to tell whether an error broke the connection. */
  private static final int VALIDITY_TIMEOUT_S = 2;

  private static final Map<String, String> NO_PARAMETERS = Map.of();

  private static final Logger log = LoggerFactory.getLogger(NaiveWorker.class);

  private final String url;
  private final Properties connectionProperties;
  private final Processor processor;
  private final QueueCounts counts;
  private final ObjectMapper json = new ObjectMapper();

  private volatile boolean stopping;

  /** Null between losing a connection and opening the next one. */
  private volatile Connection connection;

  private NaiveWorker(
      String url, Properties connectionProperties, Processor processor, QueueCounts counts) {
    this.url = url;
    this.connectionProperties = connectionProperties;
    this.processor = processor;
    this.counts = counts;
  }

  /**
   * A worker already connected, so that a wrong URL or password fails the start rather than
   * becoming a stream of counted errors.
   */
  static NaiveWorker connect(
      String url, String user, String password, Processor processor, QueueCounts counts)
      throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("ApplicationName", APPLICATION_NAME);
    NaiveWorker worker = new NaiveWorker(url, properties, processor, counts);
    worker.connection = worker.open();
    return worker;
  }

  @Override
  public void run() {
    try {
      while (!stopping && !Thread.currentThread().isInterrupted()) {
        if (connection == null && !reconnect()) {
          continue;
        }
        try {
          if (!processOneTask()) {
            return;
          }
        } catch (SQLException e) {
          counts.errors.incrementAndGet();
          log.warn("naive task rolled back: {}", e.getMessage());
          rollbackOrDropConnection();
        }
      }
    } finally {
      closeConnection();
    }
  }

  /** Lets the current task finish, then ends {@link #run}. */
  void stop() {
    stopping = true;
  }

  /**
   * Drops the connection under a worker stuck in a statement, which JDBC does not interrupt: the
   * statement fails, and the worker, already asked to stop, ends.
   */
  void abort() {
    stopping = true;
    Connection current = connection;
    if (current == null) {
      return;
    }
    try {
      // abort, unlike close, drops the socket without waiting for the statement in progress.
      current.abort(Runnable::run);
    } catch (SQLException e) {
      // Already closed, or unusable: either way the worker will not wait on it.
    }
  }

  /** One task in one transaction. False when no pending task was left to claim. */
  private boolean processOneTask() throws SQLException {
    Connection tx = connection;
    OptionalLong claimed = TaskSql.claimNext(tx);
    if (claimed.isEmpty()) {
      // The claim can come back empty while tasks remain, when the row it found was finished by
      // another worker in the meantime: stop only when none is pending at all.
      boolean left = TaskSql.anyPending(tx);
      tx.commit();
      return left;
    }
    long callId = claimed.getAsLong();
    Optional<String> result = TaskSql.readCall(tx, callId).flatMap(this::analyse);
    if (result.isPresent()) {
      TaskSql.writeResult(tx, callId, processor.id(), processor.version(), result.get());
      TaskSql.markDone(tx, callId);
      tx.commit();
      counts.done.incrementAndGet();
    } else {
      TaskSql.markFailed(tx, callId);
      tx.commit();
      counts.failed.incrementAndGet();
    }
    return true;
  }

  /** The result as JSON, or empty when the call cannot be analysed (retrying will not help). */
  private Optional<String> analyse(CallRow row) {
    try {
      return Optional.of(
          json.writeValueAsString(processor.process(CallRows.toCall(row, json), NO_PARAMETERS)));
    } catch (JsonProcessingException | RuntimeException e) {
      log.debug("call {} cannot be analysed: {}", row.id(), e.toString());
      return Optional.empty();
    }
  }

  private Connection open() throws SQLException {
    Connection opened = DriverManager.getConnection(url, connectionProperties);
    opened.setAutoCommit(false);
    return opened;
  }

  /** True when connected again; false after a failure, counted and paused for. */
  private boolean reconnect() {
    if (stopping) {
      return false;
    }
    try {
      connection = open();
      return true;
    } catch (SQLException e) {
      counts.errors.incrementAndGet();
      log.warn("naive worker cannot reconnect: {}", e.getMessage());
      try {
        Thread.sleep(RECONNECT_PAUSE_MS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
      return false;
    }
  }

  /** Ends the failed transaction; a connection the error broke is dropped for a fresh one. */
  private void rollbackOrDropConnection() {
    Connection failed = connection;
    if (failed == null) {
      return;
    }
    try {
      failed.rollback();
      if (failed.isValid(VALIDITY_TIMEOUT_S)) {
        return;
      }
    } catch (SQLException e) {
      // Broken: closed below and replaced on the next turn of the loop.
    }
    closeConnection();
  }

  private void closeConnection() {
    Connection current = connection;
    connection = null;
    if (current == null) {
      return;
    }
    try {
      current.close();
    } catch (SQLException e) {
      // It is being discarded; a failure to close it says nothing more about the task.
    }
  }
}
