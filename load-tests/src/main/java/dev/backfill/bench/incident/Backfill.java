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
   * until closed, doing nothing else: it hashes a buffer larger than a core's caches. By hand,
   * {@code sha256sum /dev/zero} on core 1 slowed the probes of a primary pinned to core 0 (slow
   * probes 43-50 in 600 against 6-12, 2026-11-30); in the benchmark neither this loop nor one that
   * only read the clock did. So it is not a busy core as such: what sha256sum adds (a read system
   * call per block, the kernel zeroing pages) is a guess, not yet measured.
   */
  static Backfill busyCore() {
    java.util.concurrent.atomic.AtomicBoolean spinning = new java.util.concurrent.atomic.AtomicBoolean(true);
    Thread spinner =
        new Thread(
            () -> {
              byte[] buffer = new byte[4 << 20];
              new java.util.Random(42).nextBytes(buffer);
              try {
                java.security.MessageDigest sha256 = java.security.MessageDigest.getInstance("SHA-256");
                while (spinning.get()) {
                  sha256.update(buffer);
                  buffer[0] = sha256.digest()[0];
                }
              } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK has SHA-256", e);
              }
              BusyCore.spun = buffer[0];
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
