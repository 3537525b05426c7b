package dev.backfill.bench.naive;

import dev.backfill.engine.processor.Processor;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The design this product replaces, kept as the benchmark's baseline: a fleet of workers polling
 * a task table in the primary database, each claiming one task at a time and, in the same
 * transaction, reading the call, analysing it and writing the result back into the primary. This
 * is what took the primary down in the original incident, so it is reproduced as that team built
 * it: competent (a partial index for claiming, SKIP LOCKED), neither slowed down nor tuned.
 *
 * <p>Run {@link #install} once and {@link #reset} before each run, with no queue running (reset
 * truncates the tables). Workers stop by themselves when no pending task is left.
 */
public final class NaiveQueue implements AutoCloseable {

  /** How long {@link #close} lets workers finish their current task before cutting them off. */
  private static final long GRACEFUL_STOP_MS = 10_000;

  /** How long a worker whose connection was closed under it may take to notice and end. */
  private static final long FORCED_STOP_MS = 5_000;

  private final List<NaiveWorker> workers;
  private final List<Thread> threads;
  private final QueueCounts counts;

  private NaiveQueue(List<NaiveWorker> workers, List<Thread> threads, QueueCounts counts) {
    this.workers = workers;
    this.threads = threads;
    this.counts = counts;
  }

  /** Creates the task and result tables in the primary if they are missing. */
  public static void install(String url, String user, String password) {
    NaiveTables.install(url, user, password);
  }

  /** Empties both tables and queues one pending task per call, so a run does real work. */
  public static void reset(String url, String user, String password) {
    NaiveTables.reset(url, user, password);
  }

  /** Results in the table, however they got there: what the benchmark counts. */
  public static long resultsWritten(String url, String user, String password) {
    return NaiveTables.resultsWritten(url, user, password);
  }

  /**
   * Connects {@code workers} workers to the primary (ApplicationName {@code naive-worker}) and
   * starts each on a thread of its own.
   *
   * @throws IllegalStateException when a worker cannot connect (none is left running then)
   */
  public static NaiveQueue start(
      String url, String user, String password, int workers, Processor processor) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    QueueCounts counts = new QueueCounts();
    List<NaiveWorker> connected = new ArrayList<>(workers);
    try {
      for (int i = 0; i < workers; i++) {
        connected.add(NaiveWorker.connect(url, user, password, processor, counts));
      }
    } catch (SQLException e) {
      connected.forEach(NaiveWorker::abort);
      throw new IllegalStateException(
          "naive worker " + (connected.size() + 1) + " cannot connect to " + url + ": "
              + e.getMessage(),
          e);
    }
    List<Thread> threads = new ArrayList<>(workers);
    for (int i = 0; i < workers; i++) {
      Thread thread = new Thread(connected.get(i), NaiveWorker.APPLICATION_NAME + "-" + (i + 1));
      // A caller that forgets close() must not keep the JVM alive; close() still ends them all.
      thread.setDaemon(true);
      threads.add(thread);
    }
    threads.forEach(Thread::start);
    return new NaiveQueue(List.copyOf(connected), List.copyOf(threads), counts);
  }

  /** Tasks committed with their result by this queue so far. */
  public long done() {
    return counts.done.get();
  }

  /** Tasks committed as failed because their call could not be analysed. */
  public long failed() {
    return counts.failed.get();
  }

  /** SQL errors: tasks rolled back, and attempts to reconnect that failed. */
  public long errors() {
    return counts.errors.get();
  }

  /**
   * Waits until every worker has ended by itself (no pending task was left, or the queue was
   * closed), at most {@code timeout}; true when they all have.
   */
  public boolean awaitFinished(Duration timeout) {
    joinAll(timeout.toMillis());
    return threads.stream().noneMatch(Thread::isAlive);
  }

  /**
   * Asks workers to stop after their current task and waits for them; a worker still running
   * after {@value #GRACEFUL_STOP_MS} ms is interrupted and its connection closed under it.
   *
   * @throws IllegalStateException when a worker survives even that
   */
  @Override
  public void close() {
    workers.forEach(NaiveWorker::stop);
    joinAll(GRACEFUL_STOP_MS);
    for (int i = 0; i < threads.size(); i++) {
      if (threads.get(i).isAlive()) {
        threads.get(i).interrupt();
        workers.get(i).abort();
      }
    }
    joinAll(FORCED_STOP_MS);
    List<String> alive = threads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
    if (!alive.isEmpty()) {
      throw new IllegalStateException("naive workers did not stop: " + alive);
    }
  }

  /** Joins every thread, all within one shared deadline. */
  private void joinAll(long timeoutMs) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    boolean interrupted = false;
    for (Thread thread : threads) {
      long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (leftMs <= 0) {
        break;
      }
      try {
        thread.join(leftMs);
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
