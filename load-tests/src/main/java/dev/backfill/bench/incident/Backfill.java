package dev.backfill.bench.incident;

import dev.backfill.bench.engine.EngineBackfill;
import dev.backfill.bench.naive.NaiveQueue;
import dev.backfill.engine.processor.Processor;

/** A backfill design under measurement, seen the same way whatever it is. */
interface Backfill extends AutoCloseable {

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
    return idleUntilClosed(() -> {});
  }

  /** No backfill: does nothing, finishes nothing, and runs {@code onClose} when closed. */
  static Backfill idleUntilClosed(Runnable onClose) {
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
        onClose.run();
      }
    };
  }

  /** The naive fleet over task tables already {@link NaiveQueue#reset reset} (before the primary was settled). */
  static Backfill naive(String url, String user, String password, int workers, Processor processor, long calls) {
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
