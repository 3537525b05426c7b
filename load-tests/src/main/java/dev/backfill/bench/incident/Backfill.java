package dev.backfill.bench.incident;

import dev.backfill.bench.engine.EngineBackfill;
import dev.backfill.bench.naive.NaiveQueue;
import dev.backfill.engine.processor.Processor;

/** A backfill design under measurement, seen the same way whatever it is. */
interface Backfill extends AutoCloseable {

  /** Where the busy-core control's spinner leaves its sum, so that the JIT cannot drop the loop. */
  final class BusyCore {
    static volatile long spun;

    private BusyCore() {}
  }

  /**
   * @param processedInStore calls whose result the design's own store holds, counted there
   * @param processedByOwnCount calls the design itself counted as processed
   */
  record Outcome(long processedInStore, long processedByOwnCount, long skipped) {}

  /** Calls finished so far, by the design's own count (for the rate over the window). */
  long done() throws Exception;

  boolean hasWorkLeft() throws Exception;

  /** What the design says about itself at the end of the window (the engine's governor view), for the record. */
  default String selfReport() {
    return "";
  }

  /** Stops the backfill, lets what is in flight finish, and counts the results in its store. */
  Outcome finish() throws Exception;

  @Override
  void close();

  static Backfill none() {
    return new Backfill() {
      @Override
      public long done() {
        return 0;
      }

      @Override
      public boolean hasWorkLeft() {
        return false;
      }

      @Override
      public Outcome finish() {
        return new Outcome(0, 0, 0);
      }

      @Override
      public void close() {}
    };
  }

  /**
   * No backfill: a thread that keeps this JVM's core busy (the backfill's core in a pinned run)
   * until closed, doing nothing else.
   */
  static Backfill busyCore() {
    java.util.concurrent.atomic.AtomicBoolean spinning = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread spinner =
        new Thread(
            () -> {
              // Real work (no Thread.onSpinWait: its pause instruction exists to let a sibling
              // hardware thread run, which is the very effect this run measures).
              long sum = 0;
              while (spinning.get()) {
                sum += System.nanoTime() % 7;
              }
              BusyCore.spun = sum;
            },
            "bench-busy-core");
    spinner.setDaemon(true);
    spinner.start();
    return new Backfill() {
      @Override
      public long done() {
        return 0;
      }

      @Override
      public boolean hasWorkLeft() {
        return false;
      }

      @Override
      public Outcome finish() {
        close();
        return new Outcome(0, 0, 0);
      }

      @Override
      public void close() {
        spinning.set(false);
      }
    };
  }

  static Backfill naive(String url, String user, String password, int workers, Processor processor, long calls) {
    NaiveQueue.reset(url, user, password);
    NaiveQueue queue = NaiveQueue.start(url, user, password, workers, processor);
    return new Backfill() {
      @Override
      public long done() {
        return queue.done();
      }

      @Override
      public boolean hasWorkLeft() {
        return queue.done() < calls;
      }

      @Override
      public Outcome finish() {
        queue.close();
        return new Outcome(NaiveQueue.resultsWritten(url, user, password), queue.done(), 0);
      }

      @Override
      public void close() {
        queue.close();
      }
    };
  }

  static Backfill engine(EngineBackfill engine) {
    return new Backfill() {
      @Override
      public long done() {
        return engine.resultsInStore();
      }

      @Override
      public boolean hasWorkLeft() throws Exception {
        return !engine.progress().status().equals("COMPLETED");
      }

      @Override
      public String selfReport() {
        return engine.governorView();
      }

      @Override
      public Outcome finish() throws Exception {
        EngineBackfill.Progress last = engine.cancel();
        return new Outcome(engine.resultsInStore(), last.processed(), last.skipped());
      }

      @Override
      public void close() {
        engine.close();
      }
    };
  }
}
