package dev.backfill.engine.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Rows that share a partition, written together: at most {@code maxInFlight} writes per partition
 * are in flight, and the rows that arrive meanwhile go out together as the next ones, up to {@code
 * maxRows} each (a group commit, without a timer). Alone, a row is written at once, with no added
 * latency; under load, one write carries many rows, which Cassandra applies as one mutation of one
 * partition. More than one write in flight keeps a slow store from queueing a job's calls in
 * flight (256 by default) behind one another: at one write at a time and 2 s a write, the last of
 * them would wait past the 15 s a job waits for a call's answer.
 *
 * <p>Each row's stage completes when the write that carried it has: a row is acknowledged only
 * once it is stored, and a failed write fails exactly the rows it carried (their callers retry
 * them, as they would a write of their own).
 *
 * <p>Thread-safe: rows come from many threads, and writes complete on the store's own threads.
 *
 * @param <K> the partition a row belongs to
 * @param <R> a row
 */
public final class GroupedWrites<K, R> {

  private record Waiting<R>(R row, CompletableFuture<Void> stored) {}

  /** A partition's rows waiting to be written, and how many writes of it are in flight. */
  private static final class Partition<R> {
    final List<Waiting<R>> waiting = new ArrayList<>();
    int writing;
  }

  private final BiFunction<K, List<R>, CompletionStage<Void>> write;
  private final int maxRows;
  private final int maxInFlight;
  private final Map<K, Partition<R>> partitions = new ConcurrentHashMap<>();

  /**
   * @param write writes rows of one partition together (one row or several)
   * @param maxRows the most rows one write carries
   * @param maxInFlight the most writes of one partition in flight at once
   */
  public GroupedWrites(BiFunction<K, List<R>, CompletionStage<Void>> write, int maxRows, int maxInFlight) {
    if (maxRows < 1 || maxInFlight < 1) {
      throw new IllegalArgumentException(
          "maxRows and maxInFlight must be at least 1, not " + maxRows + " and " + maxInFlight);
    }
    this.write = write;
    this.maxRows = maxRows;
    this.maxInFlight = maxInFlight;
  }

  /** Writes {@code row} into {@code partition}, with the rows that wait for the same partition. */
  public CompletionStage<Void> write(K partitionKey, R row) {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    Partition<R> partition = partitions.computeIfAbsent(partitionKey, key -> new Partition<>());
    List<Waiting<R>> batch = null;
    synchronized (partition) {
      partition.waiting.add(new Waiting<>(row, stored));
      if (partition.writing < maxInFlight) {
        partition.writing++;
        batch = take(partition);
      }
    }
    if (batch != null) {
      send(partitionKey, partition, batch);
    }
    return stored;
  }

  /** Partitions with rows waiting or a write in flight: for tests, and to see that none is kept. */
  int partitionsHeld() {
    return partitions.size();
  }

  private void send(K partitionKey, Partition<R> partition, List<Waiting<R>> batch) {
    List<R> rows = new ArrayList<>(batch.size());
    batch.forEach(waiting -> rows.add(waiting.row()));
    CompletionStage<Void> written;
    try {
      written = write.apply(partitionKey, rows);
    } catch (Throwable e) {
      // Whatever it is, the rows fail and the partition goes on: a write slot left taken would
      // hold every later row of this partition on this node for good.
      written = CompletableFuture.failedFuture(e);
    }
    written.whenComplete((done, failure) -> completed(partitionKey, partition, batch, failure));
  }

  private void completed(K partitionKey, Partition<R> partition, List<Waiting<R>> batch, Throwable failure) {
    try {
      for (Waiting<R> waiting : batch) {
        if (failure == null) {
          waiting.stored().complete(null);
        } else {
          waiting.stored().completeExceptionally(failure);
        }
      }
    } finally {
      List<Waiting<R>> next;
      synchronized (partition) {
        if (partition.waiting.isEmpty()) {
          partition.writing--;
          // Forgotten once idle, so a job's finished partitions are not kept. A row that already
          // holds this partition object still gets written through it.
          if (partition.writing == 0) {
            partitions.remove(partitionKey, partition);
          }
          next = null;
        } else {
          next = take(partition);
        }
      }
      if (next != null) {
        send(partitionKey, partition, next);
      }
    }
  }

  private List<Waiting<R>> take(Partition<R> partition) {
    int count = Math.min(maxRows, partition.waiting.size());
    List<Waiting<R>> batch = new ArrayList<>(partition.waiting.subList(0, count));
    partition.waiting.subList(0, count).clear();
    return batch;
  }
}
