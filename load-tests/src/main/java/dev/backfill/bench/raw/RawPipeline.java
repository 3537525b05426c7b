package dev.backfill.bench.raw;

import com.datastax.oss.driver.api.core.CqlSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backfill.engine.call.CallRows;
import dev.backfill.engine.processor.Computation;
import dev.backfill.engine.processor.Processor;
import dev.backfill.engine.store.CassandraOutcomeLedger;
import dev.backfill.engine.store.CassandraResultStore;
import dev.backfill.engine.store.OutcomeLedger.Status;
import dev.backfill.protocol.call.CallRow;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The simplest backfill that does the engine's work, written for the benchmark as the yardstick of
 * what this machine can do: keyset pages over plain JDBC on one connection, the same processor on
 * a pool of one thread per core, and the same two Cassandra writes per call as the engine's (the
 * result, then the ledger row, with the engine's own statements) sent asynchronously with at most
 * {@link #IN_FLIGHT} calls in flight. No actors, no governor, no existence read, no checkpoints:
 * none of the guarantees, so the ratio of the engine's rate to this one is what they cost.
 */
final class RawPipeline implements AutoCloseable {

  static final int IN_FLIGHT = 512;
  private static final int PAGE_SIZE = 500;
  private static final String JOB_ID = "raw";
  /** Its connection's name in pg_stat_activity. */
  static final String APPLICATION_NAME = "raw-pipeline";

  private final String url;
  private final String user;
  private final String password;
  private final Processor processor;
  private final CassandraResultStore results;
  private final CassandraOutcomeLedger ledger;
  private final Map<String, String> parameters;
  private final Computation computation;
  private final ObjectMapper json = new ObjectMapper();
  private final ExecutorService analysers =
      Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final AtomicLong done = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final Thread reader;

  private RawPipeline(String url, String user, String password, Processor processor, CqlSession session) {
    this.url = url;
    this.user = user;
    this.password = password;
    this.processor = processor;
    this.results = new CassandraResultStore(session, false);
    this.ledger = new CassandraOutcomeLedger(session);
    // The processor's defaults, as a job that sets no parameters runs it.
    this.parameters = processor.canonicalParameters(Map.of());
    this.computation = Computation.ofCanonical(processor.id(), processor.version(), parameters);
    this.reader = new Thread(this::readAll, "raw-page-reader");
  }

  /** Starts reading and processing every call of the primary, from the first. */
  static RawPipeline start(String url, String user, String password, Processor processor, CqlSession session) {
    RawPipeline pipeline = new RawPipeline(url, user, password, processor, session);
    pipeline.reader.start();
    return pipeline;
  }

  /** Calls whose result and ledger row are written. */
  long done() {
    rethrowFailure();
    return done.get();
  }

  /** False once every call has been read and processed. */
  boolean hasWorkLeft() {
    return reader.isAlive() || inFlight.availablePermits() < IN_FLIGHT;
  }

  /** Stops reading and waits for the calls in flight to be written. */
  @Override
  public void close() {
    stopped.set(true);
    try {
      reader.join(TimeUnit.SECONDS.toMillis(60));
      inFlight.tryAcquire(IN_FLIGHT, 60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      analysers.shutdownNow();
    }
  }

  private void readAll() {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("ApplicationName", APPLICATION_NAME);
    try (Connection connection = DriverManager.getConnection(url, properties);
        PreparedStatement page =
            connection.prepareStatement(
                "SELECT id, tenant, started_at, duration_s, source, transcript::text FROM calls"
                    + " WHERE id > ? ORDER BY id LIMIT ?")) {
      long afterId = 0;
      while (!stopped.get() && failure.get() == null) {
        List<CallRow> rows = read(page, afterId);
        if (rows.isEmpty()) {
          return;
        }
        for (CallRow row : rows) {
          inFlight.acquire();
          analysers.execute(() -> process(row));
        }
        afterId = rows.get(rows.size() - 1).id();
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private List<CallRow> read(PreparedStatement page, long afterId) throws SQLException {
    page.setLong(1, afterId);
    page.setInt(2, PAGE_SIZE);
    List<CallRow> rows = new ArrayList<>(PAGE_SIZE);
    try (ResultSet result = page.executeQuery()) {
      while (result.next()) {
        rows.add(
            new CallRow(
                result.getLong(1),
                result.getString(2),
                result.getTimestamp(3).getTime(),
                result.getInt(4),
                result.getString(5),
                result.getString(6)));
      }
    }
    return rows;
  }

  private void process(CallRow row) {
    String resultJson;
    try {
      resultJson = json.writeValueAsString(processor.process(CallRows.toCall(row, json), parameters));
    } catch (Exception e) {
      failure.compareAndSet(null, e);
      inFlight.release();
      return;
    }
    results
        .write(row.id(), computation, resultJson, JOB_ID, UUID.randomUUID())
        .thenCompose(written -> ledger.record(JOB_ID, row.id(), Status.DONE, null, 1))
        .whenComplete(
            (recorded, error) -> {
              if (error != null) {
                failure.compareAndSet(null, error);
              } else {
                done.incrementAndGet();
              }
              inFlight.release();
            });
  }

  private void rethrowFailure() {
    Throwable failed = failure.get();
    if (failed != null) {
      throw new IllegalStateException("the raw pipeline failed: " + failed, failed);
    }
  }
}
